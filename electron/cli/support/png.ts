/**
 * Output PNGs. A generated image carries every parameter in tEXt chunks, including the layout
 * itself (as a base64 grayscale index PNG), so `generate --reproduce image.png` can regenerate
 * it exactly on the same model and backend.
 */
import { encode } from 'fast-png';
import { z } from 'zod';
import { TesseraError } from '../../../shared/errors.ts';
import { decodePngSafely, pngLimits, type PngLimits } from '../../../shared/png-guard.ts';
import { encodeIndexPng, type LabelMap } from '../../../shared/labelmap.ts';
import { GenerationSettingsSchema, type RgbaImage } from '../../../shared/protocol.ts';
import { toBase64 } from '../../engine/batch/digest.ts';
import { asciiJson, encodeRgbPng, LAYOUT_KEY, layoutChecksum, PARAMETERS_KEY, readEmbeddedLayout } from '../../engine/batch/result-png.ts';

export const GenerationRecordSchema = z.strictObject({
  format: z.literal('tessera-generation'),
  version: z.literal(1),
  // Bounded like a manifest's id and version and a model path: the record comes from a file anyone
  // may have written, and the id is echoed in a warning (a 1 MB id made a 1 MB warning).
  model: z.strictObject({ id: z.string().max(64), version: z.string().max(32), path: z.string().max(4096).optional() }),
  size: z.strictObject({ width: z.number().int(), height: z.number().int() }),
  settings: GenerationSettingsSchema,
  backend: z.enum(['cpu', 'webgpu', 'wasm']),
  layoutSha256: z.string(),
});
export type GenerationRecord = z.infer<typeof GenerationRecordSchema>;

/** The layout checksum recorded in a result PNG: the same one batch images carry. */
export const layoutSha256 = layoutChecksum;

/**
 * RGB PNG (alpha is always opaque) with the record and the layout in tEXt. The JSON is written
 * ASCII-only because tEXt is Latin-1 (a model path may hold any character).
 */
export function encodeResultPng(image: RgbaImage, record: GenerationRecord | Record<string, unknown>, layout: LabelMap, key = PARAMETERS_KEY): Uint8Array {
  return encodeRgbPng(image, { [key]: asciiJson(record), [LAYOUT_KEY]: toBase64(encodeIndexPng(layout)) });
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
 * Reads the record and layout back from a generated PNG (for --reproduce). The PNG and the layout it
 * carries are both checked against `limits` before they are decoded (shared/png-guard.ts).
 */
export function readResultPng(bytes: Uint8Array, limits: PngLimits = pngLimits('the image to reproduce')): { record: GenerationRecord; layout: LabelMap } {
  const png = decodePngSafely(bytes, limits);
  const text = png.text as Record<string, string> | undefined;
  const raw = text?.[PARAMETERS_KEY];
  const layoutText = text?.[LAYOUT_KEY];
  if (raw === undefined || layoutText === undefined) throw new TesseraError('BAD_INPUT', 'This PNG carries no Tessera parameters (it was not written by `tessera generate`).');
  let record: GenerationRecord;
  try {
    record = GenerationRecordSchema.parse(JSON.parse(raw));
  } catch (error) {
    throw new TesseraError('BAD_INPUT', `The PNG's Tessera parameters are unreadable: ${error instanceof Error ? error.message : String(error)}`);
  }
  const layout = readEmbeddedLayout(text as Record<string, string>, { ...limits, what: `the layout embedded in ${limits.what}` });
  if (!layout) throw new TesseraError('BAD_INPUT', 'The embedded layout is not a grayscale index PNG.');
  if (layoutSha256(layout) !== record.layoutSha256) throw new TesseraError('BAD_INPUT', 'The embedded layout does not match its recorded checksum.');
  return { record, layout };
}
