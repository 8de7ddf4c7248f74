/**
 * Where the old image sits in the bigger layout, and what that makes new. Outpainting works on
 * whole tokens: the offset must lie on the token grid, the old image must be a whole number of
 * tokens and lie fully inside the layout, and the layout must add at least one token somewhere.
 * Every refusal says which number is wrong and what would work.
 */
import { TesseraError } from '../../shared/errors.ts';
import type { GridSize, PixelSize } from '../../shared/grid.ts';
import type { LabelMap } from '../../shared/labelmap.ts';
import type { RgbaImage } from '../../shared/protocol.ts';

export interface PixelOffset {
  x: number;
  y: number;
}

export interface Placement {
  /** The old image's top-left corner in the layout, in pixels. */
  offset: PixelOffset;
  /** The same in tokens. */
  row: number;
  col: number;
  /** The old image's token grid. */
  source: GridSize;
  /** The layout's token grid. */
  target: GridSize;
  /** Tokens added on each side. */
  grow: { top: number; left: number; bottom: number; right: number };
}

/** The placement, or BAD_INPUT saying what to change. */
export function checkPlacement(image: PixelSize, layout: PixelSize, offset: PixelOffset, gridFactor: number): Placement {
  const f = gridFactor;
  if (image.width % f !== 0 || image.height % f !== 0) {
    throw new TesseraError('BAD_INPUT', `The image is ${image.width}×${image.height} px, not a whole number of ${f}-px tokens: crop it to ${Math.floor(image.width / f) * f}×${Math.floor(image.height / f) * f} px first.`);
  }
  if (!Number.isInteger(offset.x) || !Number.isInteger(offset.y) || offset.x < 0 || offset.y < 0) {
    throw new TesseraError('BAD_INPUT', `The offset ${offset.x},${offset.y} is negative or not whole: it is the old image's top-left corner in the layout, in pixels from the layout's top-left (0,0 or more).`);
  }
  if (offset.x % f !== 0 || offset.y % f !== 0) {
    const near = (v: number): string => (v % f === 0 ? String(v) : `${Math.floor(v / f) * f} or ${Math.ceil(v / f) * f}`);
    throw new TesseraError('BAD_INPUT', `The offset ${offset.x},${offset.y} is not on the ${f}-px token grid: use x = ${near(offset.x)} and y = ${near(offset.y)}.`);
  }
  if (offset.x + image.width > layout.width || offset.y + image.height > layout.height) {
    throw new TesseraError(
      'BAD_INPUT',
      `At offset ${offset.x},${offset.y} the ${image.width}×${image.height} px image reaches ${offset.x + image.width},${offset.y + image.height}, outside the ${layout.width}×${layout.height} px layout: the offset may be at most ${Math.max(0, layout.width - image.width)},${Math.max(0, layout.height - image.height)}${layout.width < image.width || layout.height < image.height ? ', and the layout must be at least as large as the image' : ''}.`,
    );
  }
  if (layout.width === image.width && layout.height === image.height) {
    throw new TesseraError('BAD_INPUT', `The layout is the image's size (${image.width}×${image.height} px): there is no new area to outpaint. Make the layout larger on the side to extend (by whole ${f}-px tokens), or use inpaint to change the image itself.`);
  }
  const source = { rows: image.height / f, cols: image.width / f };
  const target = { rows: Math.floor(layout.height / f), cols: Math.floor(layout.width / f) };
  const row = offset.y / f;
  const col = offset.x / f;
  return { offset, row, col, source, target, grow: { top: row, left: col, bottom: target.rows - row - source.rows, right: target.cols - col - source.cols } };
}

/** 1 for every token of the layout outside the old image: what outpainting samples. */
export function newAreaRegion(p: Placement): Uint8Array {
  const region = new Uint8Array(p.target.rows * p.target.cols).fill(1);
  for (let r = 0; r < p.source.rows; r++) region.fill(0, (p.row + r) * p.target.cols + p.col, (p.row + r) * p.target.cols + p.col + p.source.cols);
  return region;
}

/** The old image's tokens at their place in the layout's grid (0 in the new area, which is sampled). */
export function placeTokens(p: Placement, tokens: ArrayLike<number>): Int32Array {
  const out = new Int32Array(p.target.rows * p.target.cols);
  for (let r = 0; r < p.source.rows; r++) for (let c = 0; c < p.source.cols; c++) out[(p.row + r) * p.target.cols + p.col + c] = tokens[r * p.source.cols + c] as number;
  return out;
}

/**
 * The old image in a canvas of `size`, its edge pixels repeated outward. Only the seam blend
 * reads the new area's pixels (composite.ts: it ramps from them to the decode), so the ramp
 * starts from the old image's own edge colour rather than from an arbitrary fill.
 */
export function placeImage(image: RgbaImage, size: PixelSize, offset: PixelOffset): RgbaImage {
  const rgba = new Uint8Array(size.width * size.height * 4);
  for (let y = 0; y < size.height; y++) {
    const sy = Math.min(image.height - 1, Math.max(0, y - offset.y));
    for (let x = 0; x < size.width; x++) {
      const sx = Math.min(image.width - 1, Math.max(0, x - offset.x));
      const s = 4 * (sy * image.width + sx);
      const d = 4 * (y * size.width + x);
      rgba[d] = image.rgba[s] as number;
      rgba[d + 1] = image.rgba[s + 1] as number;
      rgba[d + 2] = image.rgba[s + 2] as number;
      rgba[d + 3] = 255;
    }
  }
  return { width: size.width, height: size.height, rgba };
}

/**
 * The offset when none is given, only where it is unambiguous: the old image's own layout (a
 * Tessera PNG carries it) appears in the bigger layout at exactly one offset on the token grid.
 * Otherwise BAD_INPUT asking for the offset.
 */
export function inferOffset(oldLayout: LabelMap | null, layout: LabelMap, gridFactor: number): PixelOffset {
  const ask = 'Give --offset X,Y (pixels: where the old image\u2019s top-left corner sits in the layout).';
  if (!oldLayout) throw new TesseraError('BAD_INPUT', `The image carries no Tessera layout, so where it sits in the layout cannot be worked out. ${ask}`);
  const found: PixelOffset[] = [];
  for (let y = 0; y + oldLayout.height <= layout.height && found.length < 2; y += gridFactor) {
    for (let x = 0; x + oldLayout.width <= layout.width && found.length < 2; x += gridFactor) {
      if (layoutAt(oldLayout, layout, x, y)) found.push({ x, y });
    }
  }
  if (found.length === 1) return found[0] as PixelOffset;
  if (found.length === 0) throw new TesseraError('BAD_INPUT', `The image's own layout appears nowhere in the new layout (on the ${gridFactor}-px token grid). ${ask}`);
  throw new TesseraError('BAD_INPUT', `The image's own layout appears at more than one place in the new layout (${found.map((o) => `${o.x},${o.y}`).join(' and ')}, at least). ${ask}`);
}

function layoutAt(small: LabelMap, big: LabelMap, x: number, y: number): boolean {
  for (let r = 0; r < small.height; r++) {
    const a = r * small.width;
    const b = (y + r) * big.width + x;
    for (let c = 0; c < small.width; c++) if (small.data[a + c] !== big.data[b + c]) return false;
  }
  return true;
}
