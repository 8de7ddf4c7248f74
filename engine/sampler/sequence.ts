/**
 * The transformer's view of one window: `cond window (raster) ++ image window (raster)`
 * (docs/SAMPLING.md). Positions [0, n) are cond tokens, [n, 2n) image tokens, n = rows·cols.
 */
import type { GridSize, WindowSize } from '../../shared/grid.ts';

/** Writes positions [from, to) of the window at (top, left) for one sample into `out` at `at`. */
export function writeWindowSequence(
  cond: Int32Array,
  tokens: Int32Array,
  grid: GridSize,
  window: WindowSize,
  top: number,
  left: number,
  from: number,
  to: number,
  out: BigInt64Array,
  at: number,
): void {
  const n = window.rows * window.cols;
  for (let s = from; s < to; s++) {
    const local = s < n ? s : s - n;
    const r = top + Math.floor(local / window.cols);
    const c = left + (local % window.cols);
    out[at + s - from] = BigInt((s < n ? cond : tokens)[r * grid.cols + c] as number);
  }
}

/** Builds int64 [batch, to − from] for every sample. */
export function batchSequence(cond: readonly Int32Array[], tokens: readonly Int32Array[], grid: GridSize, window: WindowSize, top: number, left: number, from: number, to: number): BigInt64Array {
  const len = to - from;
  const ids = new BigInt64Array(cond.length * len);
  for (let b = 0; b < cond.length; b++) writeWindowSequence(cond[b] as Int32Array, tokens[b] as Int32Array, grid, window, top, left, from, to, ids, b * len);
  return ids;
}
