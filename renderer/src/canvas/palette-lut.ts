/**
 * Class index → packed RGBA lookup table for painting label maps into ImageData through a
 * Uint32Array view (one store per pixel). Indices without a class show as a loud magenta so a
 * palette mismatch is visible instead of silently dark.
 */
import type { ModelClass } from '../../../shared/manifest.ts';
import { parseHexColour } from '../../../shared/labelmap.ts';
import type { Rect } from '../tools/spans.ts';

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function packRgba(r: number, g: number, b: number, a: number): number {
  return littleEndian ? ((a << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | a) >>> 0;
}

export function buildLut(classes: readonly ModelClass[]): Uint32Array {
  const lut = new Uint32Array(256).fill(packRgba(255, 0, 255, 255));
  if (classes.length === 0) {
    // No model yet: a neutral ramp so painting still shows something.
    for (let i = 0; i < 256; i++) lut[i] = packRgba(40 + ((i * 53) % 180), 40 + ((i * 97) % 180), 40 + ((i * 29) % 180), 255);
  }
  for (const c of classes) {
    const [r, g, b] = parseHexColour(c.color);
    lut[c.id] = packRgba(r, g, b, 255);
  }
  return lut;
}

/** Colours `rect` (or everything) of `data` into `out` (a Uint32 view of an ImageData). */
export function colouriseRect(data: Uint8Array, width: number, height: number, lut: Uint32Array, out: Uint32Array, rect: Rect | null): void {
  const x0 = rect ? Math.max(0, rect.x) : 0;
  const y0 = rect ? Math.max(0, rect.y) : 0;
  const x1 = rect ? Math.min(width, rect.x + rect.width) : width;
  const y1 = rect ? Math.min(height, rect.y + rect.height) : height;
  for (let y = y0; y < y1; y++) {
    const row = y * width;
    for (let x = x0; x < x1; x++) out[row + x] = lut[data[row + x] as number] as number;
  }
}
