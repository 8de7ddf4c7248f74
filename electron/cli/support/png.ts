/**
 * Output PNGs. A generated image carries every parameter in tEXt chunks, including the layout
 * itself (as a base64 grayscale index PNG), so `generate --reproduce image.png` can regenerate
 * it exactly on the same model and backend. The record format is shared/result-record.ts (one
 * format for the studio, generate, batch and inpaint); the names here are the CLI's.
 */
import { encode } from 'fast-png';
import type { LabelMap } from '../../../shared/labelmap.ts';
import { pngLimits, type PngLimits } from '../../../shared/png-guard.ts';
import type { RgbaImage } from '../../../shared/protocol.ts';
import { encodeRecordPng, layoutChecksum, readRecordPng, ResultRecordSchema, tokensText, TOKENS_KEY, type ResultRecord } from '../../../shared/result-record.ts';

export const GenerationRecordSchema = ResultRecordSchema;
export type GenerationRecord = ResultRecord;

/** The layout checksum recorded in a result PNG: the same one batch images carry. */
export const layoutSha256 = layoutChecksum;

/**
 * RGB PNG (alpha is always opaque) with the record and the layout in tEXt, and the image tokens
 * when given (`tessera:tokens`: outpainting keeps them as context instead of re-encoding).
 */
export function encodeResultPng(image: RgbaImage, record: GenerationRecord, layout: LabelMap, tokens?: { grid: { rows: number; cols: number }; tokens: ArrayLike<number> }): Uint8Array {
  const extra: Record<string, string> = tokens ? { [TOKENS_KEY]: tokensText({ model: record.model, grid: tokens.grid, tokens: tokens.tokens, image }) } : {};
  return encodeRecordPng(image, record, layout, extra);
}

export function encodeRgbaPng(image: RgbaImage, scale = 1): Uint8Array {
  if (scale === 1) return encode({ width: image.width, height: image.height, data: image.rgba, channels: 4, depth: 8 });
  const w = image.width * scale;
  const h = image.height * scale;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (Math.floor(y / scale) * image.width + Math.floor(x / scale)) * 4;
      data.set(image.rgba.subarray(s, s + 4), (y * w + x) * 4);
    }
  }
  return encode({ width: w, height: h, data, channels: 4, depth: 8 });
}

/**
 * Reads the record and layout back from a result PNG (for --reproduce). The PNG and the layout it
 * carries are both checked against `limits` before they are decoded (shared/png-guard.ts).
 */
export function readResultPng(bytes: Uint8Array, limits: PngLimits = pngLimits('the image to reproduce')): { record: GenerationRecord; layout: LabelMap } {
  const { record, layout } = readRecordPng(bytes, limits);
  return { record, layout };
}
