/**
 * Growing the canvas on one side for outpainting: the old layout keeps its pixels and the new
 * strip continues the classes at that edge (each new row or column repeats the edge's), so sky
 * above stays sky and grass below stays grass until the user paints something else there.
 */
import type { LabelMap } from '../../../shared/labelmap.ts';

export type ExtendSide = 'top' | 'right' | 'bottom' | 'left';
export const EXTEND_SIDES: readonly ExtendSide[] = ['right', 'bottom', 'left', 'top'];

/** The layout grown by `pixels` on `side`, and where the old layout's top-left now sits. */
export function extendLayout(old: LabelMap, side: ExtendSide, pixels: number): { map: LabelMap & { data: Uint8Array<ArrayBuffer> }; dx: number; dy: number } {
  const horizontal = side === 'left' || side === 'right';
  const width = old.width + (horizontal ? pixels : 0);
  const height = old.height + (horizontal ? 0 : pixels);
  const dx = side === 'left' ? pixels : 0;
  const dy = side === 'top' ? pixels : 0;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(old.height - 1, Math.max(0, y - dy));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(old.width - 1, Math.max(0, x - dx));
      data[y * width + x] = old.data[sy * old.width + sx] as number;
    }
  }
  return { map: { width, height, data }, dx, dy };
}
