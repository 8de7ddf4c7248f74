/**
 * Token-grid maths shared by the engine, the studio and the tests. Pure functions, no I/O.
 *
 * A canvas of W×H pixels with grid factor f has (W/f)×(H/f) tokens. The transformer sees a
 * window of `rows×cols` tokens at a time; taming's sliding-window sampler places that window
 * around each token by a fixed rule (see windowPlacement1D).
 */

export interface GridSize {
  /** Token rows. */
  rows: number;
  /** Token columns. */
  cols: number;
}

export interface WindowSize {
  rows: number;
  cols: number;
}

export interface PixelSize {
  width: number;
  height: number;
}

export function tokensForPixels(size: PixelSize, gridFactor: number): GridSize {
  return { rows: Math.floor(size.height / gridFactor), cols: Math.floor(size.width / gridFactor) };
}

export function pixelsForTokens(grid: GridSize, gridFactor: number): PixelSize {
  return { width: grid.cols * gridFactor, height: grid.rows * gridFactor };
}

/** The canvas limit when none is configured (`--max-size`, the engine's `maxCanvas`); input PNGs are held to it too. */
export const DEFAULT_MAX_CANVAS: PixelSize = { width: 2048, height: 2048 };

export type CanvasCheck = { ok: true; grid: GridSize } | { ok: false; reason: string; suggestions: PixelSize[] };

/**
 * Checks that a canvas size can be sampled: both sides are multiples of the grid factor, the grid
 * holds at least one window, and the canvas is within the configured limit. On failure it names
 * the nearest sizes that would work.
 */
export function checkCanvasSize(size: PixelSize, gridFactor: number, window: WindowSize, maxPixels: PixelSize = DEFAULT_MAX_CANVAS): CanvasCheck {
  const minW = window.cols * gridFactor;
  const minH = window.rows * gridFactor;
  const problems: string[] = [];
  if (!Number.isInteger(size.width) || !Number.isInteger(size.height) || size.width <= 0 || size.height <= 0) {
    problems.push(`${size.width}×${size.height} is not a valid size`);
  } else {
    if (size.width % gridFactor !== 0 || size.height % gridFactor !== 0) {
      problems.push(`${size.width}×${size.height} px is not a multiple of the grid factor ${gridFactor}`);
    }
    if (size.width < minW || size.height < minH) {
      problems.push(`${size.width}×${size.height} px is smaller than one ${window.cols}×${window.rows}-token window (${minW}×${minH} px)`);
    }
    if (size.width > maxPixels.width || size.height > maxPixels.height) {
      problems.push(`${size.width}×${size.height} px is over the canvas limit of ${maxPixels.width}×${maxPixels.height} px`);
    }
  }
  if (problems.length === 0) return { ok: true, grid: tokensForPixels(size, gridFactor) };
  const fit = (v: number, min: number, max: number): number[] => {
    const down = Math.max(min, Math.min(max, Math.floor(v / gridFactor) * gridFactor));
    const up = Math.max(min, Math.min(max, Math.ceil(v / gridFactor) * gridFactor));
    return down === up ? [down] : [down, up];
  };
  const w0 = Number.isFinite(size.width) ? size.width : minW;
  const h0 = Number.isFinite(size.height) ? size.height : minH;
  const suggestions: PixelSize[] = [];
  for (const width of fit(w0, minW, maxPixels.width - (maxPixels.width % gridFactor))) {
    for (const height of fit(h0, minH, maxPixels.height - (maxPixels.height % gridFactor))) suggestions.push({ width, height });
  }
  return { ok: false, reason: problems.join('; '), suggestions };
}

/**
 * Taming's 1-D window placement: the offset of token `i` inside a window of length `k` over a
 * grid of length `n` (n ≥ k). The window is pinned to the start while `i ≤ k/2`, centred on `i`
 * (at offset k/2) in the interior, and pinned to the end when fewer than k − k/2 tokens remain.
 * Returns the window start and the token's local offset.
 */
export function windowPlacement1D(i: number, n: number, k: number): { start: number; local: number } {
  if (!(n >= k && k >= 1 && i >= 0 && i < n)) throw new RangeError(`window placement needs 0 ≤ i < n and n ≥ k (i=${i}, n=${n}, k=${k})`);
  const half = Math.floor(k / 2);
  let local: number;
  if (i <= half) local = i;
  else if (n - i < k - half) local = k - (n - i);
  else local = half;
  return { start: i - local, local };
}

export interface WindowPlacement {
  /** Top-left token of the window in the grid. */
  top: number;
  left: number;
  /** The token's position inside the window. */
  localRow: number;
  localCol: number;
}

/** Taming's window for token (row, col) of a grid: the 1-D rule on each axis. */
export function windowPlacement(row: number, col: number, grid: GridSize, window: WindowSize): WindowPlacement {
  const v = windowPlacement1D(row, grid.rows, window.rows);
  const h = windowPlacement1D(col, grid.cols, window.cols);
  return { top: v.start, left: h.start, localRow: v.local, localCol: h.local };
}

/** One window of the cached sampler: `count` consecutive tokens of one row decoded with one KV prefix. */
export interface Chunk {
  row: number;
  /** First column of the chunk. */
  col: number;
  count: number;
  top: number;
  left: number;
  /** Position of the chunk's first token inside the window. */
  localRow: number;
  localCol: number;
}

/**
 * The cached sampler's schedule: each row is cut into chunks of `stride` tokens (the last one may
 * be shorter). A chunk's window is the exact placement of its middle token, shifted just enough
 * that the whole chunk lies inside it; so with stride 1 every chunk is exactly taming's window.
 */
export function chunkSchedule(grid: GridSize, window: WindowSize, stride: number): Chunk[] {
  if (!Number.isInteger(stride) || stride < 1 || stride > window.cols) {
    throw new RangeError(`stride must be an integer between 1 and the window width ${window.cols} (got ${stride})`);
  }
  const chunks: Chunk[] = [];
  for (let row = 0; row < grid.rows; row++) {
    const v = windowPlacement1D(row, grid.rows, window.rows);
    for (let col = 0; col < grid.cols; col += stride) {
      const count = Math.min(stride, grid.cols - col);
      const middle = col + Math.floor((count - 1) / 2);
      const centred = windowPlacement1D(middle, grid.cols, window.cols).start;
      const left = Math.min(col, Math.max(col + count - window.cols, centred));
      chunks.push({ row, col, count, top: v.start, left, localRow: v.local, localCol: col - left });
    }
  }
  return chunks;
}

/** Copies the `window` rows×cols block at (top, left) out of a row-major grid. */
export function cropWindow<T extends Int32Array | Uint16Array | Uint32Array | number[]>(
  tokens: ArrayLike<number>,
  grid: GridSize,
  top: number,
  left: number,
  window: WindowSize,
  out: T,
): T {
  for (let r = 0; r < window.rows; r++) {
    for (let c = 0; c < window.cols; c++) out[r * window.cols + c] = tokens[(top + r) * grid.cols + left + c] as number;
  }
  return out;
}
