/**
 * Fitting an input image to the token grid, only when the user asks for it (`--fit pad|crop`):
 * the image VQGAN encodes whole tokens, so both sides must be multiples of the grid factor, at
 * least one window, and within the canvas limit. `pad` extends the right and bottom edges
 * (repeating the edge pixels; the padding is never resampled and is cut off again afterwards);
 * `crop` keeps the top-left part that fits.
 */
import { TesseraError } from '../../shared/errors.ts';
import { checkCanvasSize, type PixelSize, type WindowSize } from '../../shared/grid.ts';
import type { LabelMap } from '../../shared/labelmap.ts';
import type { RgbaImage } from '../../shared/protocol.ts';
import type { PixelMask } from './region.ts';

export type FitMode = 'pad' | 'crop';

/** The canvas `mode` turns `size` into, or BAD_CANVAS_SIZE when even that does not fit. */
export function fittedSize(size: PixelSize, gridFactor: number, window: WindowSize, maxCanvas: PixelSize, mode: FitMode): PixelSize {
  const maxW = maxCanvas.width - (maxCanvas.width % gridFactor);
  const maxH = maxCanvas.height - (maxCanvas.height % gridFactor);
  const minW = window.cols * gridFactor;
  const minH = window.rows * gridFactor;
  const target =
    mode === 'crop'
      ? { width: Math.min(maxW, Math.floor(size.width / gridFactor) * gridFactor), height: Math.min(maxH, Math.floor(size.height / gridFactor) * gridFactor) }
      : { width: Math.max(minW, Math.ceil(size.width / gridFactor) * gridFactor), height: Math.max(minH, Math.ceil(size.height / gridFactor) * gridFactor) };
  const check = checkCanvasSize(target, gridFactor, window, maxCanvas);
  if (!check.ok) {
    const why = mode === 'crop' ? `cropping ${size.width}×${size.height} px leaves ${target.width}×${target.height} px` : `padding ${size.width}×${size.height} px gives ${target.width}×${target.height} px`;
    throw new TesseraError('BAD_CANVAS_SIZE', `${why}: ${check.reason}.${mode === 'pad' ? ' Try --fit crop.' : ''}`, { suggestions: check.suggestions });
  }
  return target;
}

/** Copies into a width×height canvas: cropped, or padded by repeating the last row/column. */
function refit<T extends Uint8Array>(data: T, from: PixelSize, to: PixelSize, channels: number, make: (n: number) => T, padWith: 'edge' | 'zero'): T {
  const out = make(to.width * to.height * channels);
  for (let y = 0; y < to.height; y++) {
    const sy = Math.min(y, from.height - 1);
    for (let x = 0; x < to.width; x++) {
      const sx = Math.min(x, from.width - 1);
      if (padWith === 'zero' && (x >= from.width || y >= from.height)) continue;
      for (let c = 0; c < channels; c++) out[(y * to.width + x) * channels + c] = data[(sy * from.width + sx) * channels + c] as number;
    }
  }
  return out;
}

export function fitImage(image: RgbaImage, to: PixelSize): RgbaImage {
  return { width: to.width, height: to.height, rgba: refit(image.rgba, image, to, 4, (n) => new Uint8Array(n), 'edge') };
}

export function fitLabelMap(map: LabelMap, to: PixelSize): LabelMap {
  return { width: to.width, height: to.height, data: refit(map.data, map, to, 1, (n) => new Uint8Array(n), 'edge') };
}

/** Padding is never masked: it only exists to complete the last tokens. */
export function fitMask(mask: PixelMask, to: PixelSize): PixelMask {
  return { width: to.width, height: to.height, data: refit(mask.data, mask, to, 1, (n) => new Uint8Array(n), 'zero') };
}

/** The top-left `to` of an image (undoing `pad` on the result). */
export function cropImage(image: RgbaImage, to: PixelSize): RgbaImage {
  return fitImage(image, to);
}
