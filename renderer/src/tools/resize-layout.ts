/**
 * Changing the canvas size: scale the layout (nearest neighbour, so classes stay exact and hard
 * edged) or keep its pixels and place them at an anchor, filling new space with a class.
 */
import type { LabelMap } from '../../../shared/labelmap.ts';

export type ResizeAnchor = 'top-left' | 'top' | 'top-right' | 'left' | 'center' | 'right' | 'bottom-left' | 'bottom' | 'bottom-right';
export type ResizeMode = 'scale' | ResizeAnchor;

export const RESIZE_MODES: ReadonlyArray<{ mode: ResizeMode; label: string }> = [
  { mode: 'scale', label: 'Scale the layout' },
  { mode: 'center', label: 'Keep size, centred' },
  { mode: 'top-left', label: 'Keep size, top left' },
  { mode: 'top', label: 'Keep size, top' },
  { mode: 'top-right', label: 'Keep size, top right' },
  { mode: 'left', label: 'Keep size, left' },
  { mode: 'right', label: 'Keep size, right' },
  { mode: 'bottom-left', label: 'Keep size, bottom left' },
  { mode: 'bottom', label: 'Keep size, bottom' },
  { mode: 'bottom-right', label: 'Keep size, bottom right' },
];

/** Fraction of the free (or cut) space that goes before the old layout, per axis. */
function anchorFractions(anchor: ResizeAnchor): { fx: number; fy: number } {
  const fx = anchor.endsWith('left') ? 0 : anchor.endsWith('right') ? 1 : 0.5;
  const fy = anchor.startsWith('top') ? 0 : anchor.startsWith('bottom') ? 1 : 0.5;
  return { fx, fy };
}

export function resizeLayout(old: LabelMap, width: number, height: number, mode: ResizeMode, fillClass: number): LabelMap & { data: Uint8Array<ArrayBuffer> } {
  const data = new Uint8Array(width * height);
  if (mode === 'scale') {
    for (let y = 0; y < height; y++) {
      const sy = Math.min(old.height - 1, Math.floor(((y + 0.5) * old.height) / height));
      for (let x = 0; x < width; x++) {
        const sx = Math.min(old.width - 1, Math.floor(((x + 0.5) * old.width) / width));
        data[y * width + x] = old.data[sy * old.width + sx] as number;
      }
    }
    return { width, height, data };
  }
  data.fill(fillClass);
  const { fx, fy } = anchorFractions(mode);
  // Where the old layout's top-left lands (negative: that much of it is cut off).
  const ox = Math.round((width - old.width) * fx);
  const oy = Math.round((height - old.height) * fy);
  const x0 = Math.max(0, ox);
  const x1 = Math.min(width, ox + old.width);
  for (let y = Math.max(0, oy); y < Math.min(height, oy + old.height); y++) {
    const sy = y - oy;
    data.set(old.data.subarray(sy * old.width + (x0 - ox), sy * old.width + (x1 - ox)), y * width + x0);
  }
  return { width, height, data };
}
