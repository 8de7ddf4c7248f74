/**
 * Where to cut a token grid for tiled decoding, and how tiles are put back together.
 *
 * The image decoder is convolutional, so a large grid can be decoded in tiles: each tile's *core*
 * goes to the output, and a margin of context tokens around it is decoded too and cropped away,
 * because pixels near a tile's edge see the edge (the default model's receptive field is about 13
 * tokens). Tiling is close to, never equal to, a whole decode: the decoder's group norms take their
 * statistics over the whole input, so each tile is normalised by its own content, and neighbouring
 * tiles differ slightly in tone. Neighbours therefore overlap by `blend` tokens on each side of
 * their shared edge, where a linear cross-fade hides the step. The numbers behind the defaults are
 * in docs/PERFORMANCE.md ("Tiled decoding").
 *
 * Every decoded tile of a tiled axis has the same size, so onnxruntime sees one shape and its
 * memory arena holds the peak of one tile whatever the canvas. An axis no longer than one tile is
 * decoded whole: a canvas that fits one tile decodes exactly as an untiled decode does.
 */
import type { GridSize } from '../../shared/grid.ts';

export interface DecodeTiling {
  /** Edge of every decoded tile, in tokens: what the decoder sees, and so its memory. */
  size: number;
  /** Context tokens at least, on each side of a core that has a neighbour there (the blend band included). */
  margin: number;
  /** Tokens on each side of a shared edge over which two neighbours cross-fade (≤ margin). */
  blend: number;
}

/** A span of one axis: `[start, start + size)` is decoded, `[coreStart, coreStart + coreSize)` is the core. */
export interface AxisSpan {
  start: number;
  size: number;
  coreStart: number;
  coreSize: number;
  /** Cross-fade half-widths at the core's two edges: 0 at the canvas edge and on an untiled axis. */
  blendBefore: number;
  blendAfter: number;
}

export interface DecodeTile {
  rows: AxisSpan;
  cols: AxisSpan;
}

function checkTiling(tiling: DecodeTiling): void {
  const { size, margin, blend } = tiling;
  const whole = (v: number): boolean => Number.isInteger(v) && v >= 0;
  // Interior cores are at least (size − 2·margin)/2 long, so with 4·blend ≤ size − 2·margin a core's
  // two blend bands never meet.
  if (!(whole(size) && whole(margin) && whole(blend) && size > 2 * margin && blend <= margin && 4 * blend <= size - 2 * margin)) {
    throw new RangeError(`decode tiling needs integers size > 2·margin and 0 ≤ blend ≤ min(margin, (size − 2·margin)/4) (got size ${size}, margin ${margin}, blend ${blend})`);
  }
}

/**
 * Cuts an axis of `n` tokens into tiles of `size` tokens: as few as leave every shared edge at least
 * `margin` tokens of context on both sides, evenly spaced, and each core ending in the middle of
 * its overlap with the next tile (so context is shared out equally; the canvas edge needs none).
 */
export function axisSpans(n: number, tiling: DecodeTiling): AxisSpan[] {
  checkTiling(tiling);
  const { size, margin, blend } = tiling;
  if (n <= size) return [{ start: 0, size: n, coreStart: 0, coreSize: n, blendBefore: 0, blendAfter: 0 }];
  // Consecutive starts at most size − 2·margin apart leave an overlap of ≥ 2·margin to cut in half.
  const count = 1 + Math.ceil((n - size) / (size - 2 * margin));
  const starts = Array.from({ length: count }, (_, i) => Math.round((i * (n - size)) / (count - 1)));
  const cuts = starts.slice(1).map((next, i) => Math.floor(((starts[i] as number) + size + next) / 2));
  return starts.map((start, i) => {
    const coreStart = i === 0 ? 0 : (cuts[i - 1] as number);
    const coreEnd = i === count - 1 ? n : (cuts[i] as number);
    return { start, size, coreStart, coreSize: coreEnd - coreStart, blendBefore: i > 0 ? blend : 0, blendAfter: i < count - 1 ? blend : 0 };
  });
}

/** The tiles of a grid in raster order; one tile covering everything when the grid fits one. */
export function planDecodeTiles(grid: GridSize, tiling: DecodeTiling): DecodeTile[] {
  const rows = axisSpans(grid.rows, tiling);
  const cols = axisSpans(grid.cols, tiling);
  return rows.flatMap((r) => cols.map((c) => ({ rows: r, cols: c })));
}

/** The whole grid as one tile (a decoder graph with a fixed input size decodes nothing else). */
export function wholeGridTile(grid: GridSize): DecodeTile {
  const whole = (n: number): AxisSpan => ({ start: 0, size: n, coreStart: 0, coreSize: n, blendBefore: 0, blendAfter: 0 });
  return { rows: whole(grid.rows), cols: whole(grid.cols) };
}

/** Copies a tile's decoded rectangle of tokens out of a row-major grid. */
export function cropTokens(tokens: ArrayLike<number>, grid: GridSize, tile: DecodeTile): Int32Array {
  const { rows, cols } = tile;
  const out = new Int32Array(rows.size * cols.size);
  for (let r = 0; r < rows.size; r++) {
    for (let c = 0; c < cols.size; c++) out[r * cols.size + c] = tokens[(rows.start + r) * grid.cols + cols.start + c] as number;
  }
  return out;
}

/**
 * The weight of each decoded pixel of a span (`size · f` of them): 1 inside the core, a linear ramp
 * across each blend band (centred on the core's edge, `2 · blend · f` pixels wide), 0 elsewhere.
 * Neighbours' ramps over a shared band add up to 1, so weighted tiles sum to a seamless image.
 */
export function spanWeights(span: AxisSpan, f: number): Float32Array {
  const weights = new Float32Array(span.size * f);
  const coreStart = (span.coreStart - span.start) * f;
  const coreEnd = coreStart + span.coreSize * f;
  const before = span.blendBefore * f;
  const after = span.blendAfter * f;
  for (let x = 0; x < weights.length; x++) {
    let w = x >= coreStart && x < coreEnd ? 1 : 0;
    // Pixel centres: a band of 2b pixels starting at s gets (x − s + ½) / 2b rising, its mirror falling.
    if (before > 0 && x >= coreStart - before && x < coreStart + before) w = (x - (coreStart - before) + 0.5) / (2 * before);
    if (after > 0 && x >= coreEnd - after && x < coreEnd + after) w = (coreEnd + after - x - 0.5) / (2 * after);
    weights[x] = w;
  }
  return weights;
}

/** A tile's pixels with non-zero weight, in tile coordinates (x0, y0) and canvas coordinates (atX, atY). */
export function keptPixels(tile: DecodeTile, f: number): { x0: number; y0: number; width: number; height: number; atX: number; atY: number } {
  const kept = (s: AxisSpan): { from: number; to: number } => ({ from: (s.coreStart - s.blendBefore) * f, to: (s.coreStart + s.coreSize + s.blendAfter) * f });
  const c = kept(tile.cols);
  const r = kept(tile.rows);
  return { x0: c.from - tile.cols.start * f, y0: r.from - tile.rows.start * f, width: c.to - c.from, height: r.to - r.from, atX: c.from, atY: r.from };
}

/**
 * Adds one decoded tile, weighted, into a float [3, H, W] canvas (`canvasBase` = offset of its
 * first channel): `chw` holds the tile's image at `chwBase`. A tile without blend bands is copied.
 */
export function addTile(canvas: Float32Array, canvasBase: number, canvasWidth: number, canvasHeight: number, tile: DecodeTile, chw: Float32Array, chwBase: number, f: number): void {
  const k = keptPixels(tile, f);
  const tileWidth = tile.cols.size * f;
  const tilePlane = tileWidth * tile.rows.size * f;
  const plane = canvasWidth * canvasHeight;
  const wx = spanWeights(tile.cols, f);
  const wy = spanWeights(tile.rows, f);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < k.height; y++) {
      const from = chwBase + c * tilePlane + (k.y0 + y) * tileWidth + k.x0;
      const to = canvasBase + c * plane + (k.atY + y) * canvasWidth + k.atX;
      const rowWeight = wy[k.y0 + y] as number;
      for (let x = 0; x < k.width; x++) {
        const w = rowWeight * (wx[k.x0 + x] as number);
        // w = 1 (the core away from any band) copies the value exactly.
        canvas[to + x] = w === 1 ? (chw[from + x] as number) : (canvas[to + x] as number) + w * (chw[from + x] as number);
      }
    }
  }
}
