/**
 * Reading the user's PNGs for inpainting: any PNG as an image (gray, gray+alpha, RGB, RGBA,
 * palette; 1–16 bits), and masks, where a pixel is masked when it is light (max of R, G, B at
 * least half) and, if the PNG has alpha, at least half opaque: white-on-black and painted-on-
 * transparent masks both work, and anti-aliased edges split at the middle.
 */
import { convertIndexedToRgb, type DecodedPng } from 'fast-png';
import { TesseraError } from '../../shared/errors.ts';
import { decodePngSafely, pngLimits, type PngLimits } from '../../shared/png-guard.ts';
import type { RgbaImage } from '../../shared/protocol.ts';
import type { PixelMask } from './region.ts';

type Png = DecodedPng;

/** Samples as 0..255, `channels` per pixel, whatever the bit depth or palette. */
function samples8(png: Png, what: string): { data: Uint8Array; channels: number } {
  if (png.palette) {
    let data: Uint8Array;
    try {
      data = convertIndexedToRgb(png);
    } catch {
      // fast-png refuses pixels that point past the end of the palette; that is the file's fault.
      throw new TesseraError('BAD_INPUT', `${what} uses palette colours beyond its ${png.palette.length}-colour palette (a damaged or hand-edited PNG): re-save it from an image editor.`);
    }
    return { data, channels: data.length / (png.width * png.height) };
  }
  const { width, height, channels, depth } = png;
  const n = width * height * channels;
  const out = new Uint8Array(n);
  if (depth === 8) out.set(png.data.subarray(0, n));
  else if (depth === 16) for (let i = 0; i < n; i++) out[i] = (png.data[i] as number) >> 8;
  else {
    // 1, 2 or 4 bits (gray only): packed, each row starting on a byte.
    const perByte = 8 / depth;
    const rowBytes = Math.ceil((width * channels) / perByte);
    const max = (1 << depth) - 1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width * channels; x++) {
        const byte = png.data[y * rowBytes + Math.floor(x / perByte)] as number;
        const v = (byte >> (8 - depth * ((x % perByte) + 1))) & max;
        out[y * width * channels + x] = Math.round((v * 255) / max);
      }
    }
  }
  return { data: out, channels };
}

/** Any PNG as RGBA, checked against `limits` (default: the default canvas limit) before it is decoded. */
export function decodeImagePng(bytes: Uint8Array, limits: PngLimits = pngLimits('The image')): RgbaImage {
  return readImagePng(bytes, limits).image;
}

/** `decodeImagePng`, with the PNG's tEXt (a Tessera image carries its layout there) from the same decode. */
export function readImagePng(bytes: Uint8Array, limits: PngLimits): { image: RgbaImage; text: Record<string, string> } {
  const png = decodePngSafely(bytes, limits);
  const { data, channels } = samples8(png, limits.what);
  const rgba = new Uint8Array(png.width * png.height * 4);
  for (let p = 0; p < png.width * png.height; p++) {
    const s = p * channels;
    const gray = channels <= 2;
    rgba[4 * p] = data[s] as number;
    rgba[4 * p + 1] = data[gray ? s : s + 1] as number;
    rgba[4 * p + 2] = data[gray ? s : s + 2] as number;
    rgba[4 * p + 3] = channels === 2 || channels === 4 ? (data[s + channels - 1] as number) : 255;
  }
  return { image: { width: png.width, height: png.height, rgba }, text: png.text };
}

export function decodeMaskPng(bytes: Uint8Array, limits: PngLimits = pngLimits('The mask')): PixelMask {
  const image = decodeImagePng(bytes, limits);
  const data = new Uint8Array(image.width * image.height);
  for (let p = 0; p < data.length; p++) {
    const i = 4 * p;
    const light = Math.max(image.rgba[i] as number, image.rgba[i + 1] as number, image.rgba[i + 2] as number) >= 128;
    data[p] = light && (image.rgba[i + 3] as number) >= 128 ? 1 : 0;
  }
  return { width: image.width, height: image.height, data };
}
