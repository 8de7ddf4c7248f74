/**
 * Which tokens an inpainting job resamples (1) and which it keeps (0), from what the user gave:
 * a pixel mask, a layout edit (old vs new label map) and single clicked tokens. A token is
 * resampled when any one of its pixels is: the VQGAN cannot change half a token.
 */
import { TesseraError } from '../../shared/errors.ts';
import type { GridSize } from '../../shared/grid.ts';
import type { LabelMap } from '../../shared/labelmap.ts';

export interface PixelMask {
  width: number;
  height: number;
  /** One byte per pixel; non-zero = resample. */
  data: Uint8Array;
}

/** Tokens with at least one masked pixel. */
export function maskToRegion(mask: PixelMask, grid: GridSize, gridFactor: number): Uint8Array {
  const region = new Uint8Array(grid.rows * grid.cols);
  for (let y = 0; y < grid.rows * gridFactor; y++) {
    const row = Math.floor(y / gridFactor) * grid.cols;
    for (let x = 0; x < grid.cols * gridFactor; x++) if (mask.data[y * mask.width + x]) region[row + Math.floor(x / gridFactor)] = 1;
  }
  return region;
}

/** Tokens where the two layouts differ in any pixel: "paint water here" regenerates only there. */
export function layoutChangeRegion(before: LabelMap, after: LabelMap, grid: GridSize, gridFactor: number): Uint8Array {
  const region = new Uint8Array(grid.rows * grid.cols);
  for (let i = 0; i < after.data.length; i++) {
    if (before.data[i] !== after.data[i]) region[Math.floor(Math.floor(i / after.width) / gridFactor) * grid.cols + Math.floor((i % after.width) / gridFactor)] = 1;
  }
  return region;
}

/** Grows the region by `tokens` on every side (a square neighbourhood: diagonals count). */
export function dilateRegion(region: Uint8Array, grid: GridSize, tokens: number): Uint8Array {
  if (tokens <= 0) return region.slice();
  // Separable: a row pass then a column pass gives the (2t+1)×(2t+1) square.
  const rows = new Uint8Array(region.length);
  for (let r = 0; r < grid.rows; r++) {
    for (let c = 0; c < grid.cols; c++) {
      if (!region[r * grid.cols + c]) continue;
      for (let k = Math.max(0, c - tokens); k <= Math.min(grid.cols - 1, c + tokens); k++) rows[r * grid.cols + k] = 1;
    }
  }
  const out = new Uint8Array(region.length);
  for (let r = 0; r < grid.rows; r++) {
    for (let c = 0; c < grid.cols; c++) {
      if (!rows[r * grid.cols + c]) continue;
      for (let k = Math.max(0, r - tokens); k <= Math.min(grid.rows - 1, r + tokens); k++) out[k * grid.cols + c] = 1;
    }
  }
  return out;
}

/** Adds clicked tokens (row·cols + col), refusing indices outside the grid. */
export function addTokens(region: Uint8Array, tokens: readonly number[], grid: GridSize): Uint8Array {
  const out = region.slice();
  for (const t of tokens) {
    if (!Number.isInteger(t) || t < 0 || t >= out.length) {
      throw new TesseraError('BAD_INPUT', `Token ${t} is outside the ${grid.cols}×${grid.rows} token grid (indices are row·${grid.cols} + column, 0..${out.length - 1}).`);
    }
    out[t] = 1;
  }
  return out;
}

export function countRegion(region: Uint8Array): number {
  let n = 0;
  for (const v of region) n += v ? 1 : 0;
  return n;
}
