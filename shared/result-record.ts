/**
 * The one record format of a Tessera result PNG, for every writer (the studio's export,
 * `generate`, `batch`, `inpaint`) and every reader (`generate --reproduce`, `inpaint` without
 * `--layout`, batch resume, the studio's import). A result PNG is 8-bit RGB with these tEXt chunks:
 *
 * - `Software`: `Tessera`;
 * - `tessera:parameters`: a {@link ResultRecord} as ASCII-only JSON (tEXt is Latin-1), keys in a
 *   fixed order, so the same result always gives the same bytes;
 * - `tessera:layout`: the layout as a base64 8-bit grayscale index PNG (taming's format);
 * - `tessera:batch`: batch images only, the batch entry (layout name, seed, model hash);
 * - `tessera:tokens`: optional, the image tokens the picture was decoded from (see
 *   {@link tokensText}), so outpainting can keep them as context instead of re-encoding pixels.
 *
 * Version 1 records of whole images are exactly what `generate` and `batch` wrote before this
 * module (so earlier batch folders still resume file for file); inpainted images add an `inpaint`
 * block. Still read: the CLI's older inpaint record (`tessera:inpaint`, migrated here). Refused
 * with the reason: the older studio export (its own JSON and no layout).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { encode } from 'fast-png';
import { z } from 'zod';
import { TesseraError } from './errors.ts';
import { encodeIndexPng, type LabelMap } from './labelmap.ts';
import { decodePngSafely, pngLimits, type PngLimits } from './png-guard.ts';
import { GenerationSettingsSchema, OutpaintSummarySchema, type ActiveBackend, type GenerationSettings, type RgbaImage } from './protocol.ts';
import { base64ToBytes, bytesToBase64 } from './wire.ts';

export const PARAMETERS_KEY = 'tessera:parameters';
export const LAYOUT_KEY = 'tessera:layout';
export const BATCH_KEY = 'tessera:batch';
export const TOKENS_KEY = 'tessera:tokens';
/** The CLI's inpaint record before this module (read, never written). */
export const LEGACY_INPAINT_KEY = 'tessera:inpaint';

export const RECORD_FORMAT = 'tessera-generation';
export const RECORD_VERSION = 1;

const InpaintOptionsSchema = z.strictObject({ dilation: z.number().int().min(0).max(16), blend: z.number().int().min(0).max(64), keepOutside: z.boolean() });

export const InpaintRecordSchema = z.strictObject({
  /** `region`: a painted mask and/or a layout edit; `tokens`: single tokens clicked (resample). */
  mode: z.enum(['region', 'tokens']),
  options: InpaintOptionsSchema,
  regionTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().positive(),
  fit: z.enum(['pad', 'crop']).nullable(),
});
export type InpaintRecord = z.infer<typeof InpaintRecordSchema>;

/** The `outpaint` block: shared/protocol.ts OutpaintSummarySchema (what job.outpaint replies with). */
export const OutpaintRecordSchema = OutpaintSummarySchema;
export type OutpaintRecord = z.infer<typeof OutpaintRecordSchema>;

export const ResultRecordSchema = z.strictObject({
  format: z.literal(RECORD_FORMAT),
  version: z.literal(RECORD_VERSION),
  // Bounded like a manifest's id and version and a model path: the record comes from a file anyone
  // may have written, and the id is echoed in a warning (a 1 MB id made a 1 MB warning).
  model: z.strictObject({ id: z.string().max(64), version: z.string().max(32), path: z.string().max(4096).optional() }),
  size: z.strictObject({ width: z.number().int(), height: z.number().int() }),
  settings: GenerationSettingsSchema,
  backend: z.enum(['cpu', 'webgpu', 'wasm']),
  layoutSha256: z.string(),
  /** Present when the image was inpainted: it cannot be regenerated from the layout alone. */
  inpaint: InpaintRecordSchema.optional(),
  /** Present when the image was outpainted from a smaller one. */
  outpaint: OutpaintRecordSchema.optional(),
});
export type ResultRecord = z.infer<typeof ResultRecordSchema>;

/** The CLI's inpaint record as written before this module (`tessera:inpaint`). */
const LegacyInpaintSchema = z.object({
  format: z.literal('tessera-inpaint'),
  version: z.literal(1),
  model: z.strictObject({ id: z.string().max(64), version: z.string().max(32) }),
  settings: GenerationSettingsSchema,
  options: InpaintOptionsSchema,
  backend: z.enum(['cpu', 'webgpu', 'wasm']),
  regionTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().positive(),
  fit: z.enum(['pad', 'crop']).nullable(),
});

/** SHA-256 (hex) of the layout: its class indices, then its size as "WxH" in UTF-8. */
export function layoutChecksum(layout: LabelMap): string {
  const hash = sha256.create();
  hash.update(layout.data);
  hash.update(utf8ToBytes(`${layout.width}x${layout.height}`));
  return bytesToHex(hash.digest());
}

/**
 * Settings as recorded: a fixed key order (the JSON is compared byte for byte) and no
 * decodedPreviews, which changes what the viewer sees while sampling, never the image.
 */
export function recordedSettings(s: GenerationSettings): GenerationSettings {
  // The parallel sampler's lead after the stride, and only when set: earlier records stay byte-identical.
  return { seed: s.seed, temperature: s.temperature, topK: s.topK, topP: s.topP, sampler: s.sampler, stride: s.stride, ...(s.lead === undefined ? {} : { lead: s.lead }), decodedPreviews: false };
}

/**
 * JSON with every non-ASCII character escaped: tEXt chunks are Latin-1, and a layout named "湖"
 * must still round-trip exactly (JSON.parse reads the escapes back).
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface RecordInput {
  model: { id: string; version: string; path?: string | undefined };
  layout: LabelMap;
  settings: GenerationSettings;
  backend: ActiveBackend;
  inpaint?: InpaintRecord | undefined;
  outpaint?: OutpaintRecord | undefined;
}

/** The record of a result, in the canonical key order every writer uses. */
export function makeRecord(input: RecordInput): ResultRecord {
  const { model, layout } = input;
  return {
    format: RECORD_FORMAT,
    version: RECORD_VERSION,
    model: { id: model.id, version: model.version, ...(model.path !== undefined ? { path: model.path } : {}) },
    size: { width: layout.width, height: layout.height },
    settings: recordedSettings(input.settings),
    backend: input.backend,
    layoutSha256: layoutChecksum(layout),
    ...(input.inpaint ? { inpaint: { mode: input.inpaint.mode, options: { ...input.inpaint.options }, regionTokens: input.inpaint.regionTokens, totalTokens: input.inpaint.totalTokens, fit: input.inpaint.fit } } : {}),
    ...(input.outpaint ? { outpaint: OutpaintRecordSchema.parse(input.outpaint) } : {}),
  };
}

/** The tEXt values of a result: the record and the layout (add `tessera:batch` for batch images). */
export function recordText(record: ResultRecord, layout: LabelMap): { [PARAMETERS_KEY]: string; [LAYOUT_KEY]: string } {
  return { [PARAMETERS_KEY]: asciiJson(record), [LAYOUT_KEY]: bytesToBase64(encodeIndexPng(layout)) };
}

/** An 8-bit RGB PNG (alpha dropped: results are opaque) carrying `Software: Tessera` and `text` in tEXt. */
export function encodeRgbPng(image: RgbaImage, text: Record<string, string>): Uint8Array {
  const rgb = new Uint8Array(image.width * image.height * 3);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgb[i] = image.rgba[j] as number;
    rgb[i + 1] = image.rgba[j + 1] as number;
    rgb[i + 2] = image.rgba[j + 2] as number;
  }
  return encode({ width: image.width, height: image.height, data: rgb, channels: 3, depth: 8, text: { Software: 'Tessera', ...text } });
}

/** A result PNG: the image, its record and its layout (plus `extra` tEXt, e.g. `tessera:batch`). */
export function encodeRecordPng(image: RgbaImage, record: ResultRecord, layout: LabelMap, extra: Record<string, string> = {}): Uint8Array {
  if (image.width !== layout.width || image.height !== layout.height) throw new TesseraError('INTERNAL', `The image is ${image.width}×${image.height} but its layout ${layout.width}×${layout.height}.`);
  return encodeRgbPng(image, { ...recordText(record, layout), ...extra });
}

/** Decodes base64, or null when the text is not well-formed base64. */
function fromBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  try {
    return base64ToBytes(text);
  } catch {
    return null;
  }
}

/**
 * The layout a Tessera PNG carries, or null when it carries none or one that is not an 8-bit
 * grayscale index PNG. One that is damaged, a decompression bomb or over `limits` is refused with
 * the guard's error (shared/png-guard.ts), naming it.
 */
export function readEmbeddedLayout(text: Record<string, string>, limits: PngLimits = pngLimits('the embedded layout')): LabelMap | null {
  const raw = text[LAYOUT_KEY];
  const bytes = raw === undefined ? null : fromBase64(raw);
  if (!bytes) return null;
  const png = decodePngSafely(bytes, limits);
  if (png.channels !== 1 || png.depth !== 8 || png.palette) return null;
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}

function problem(error: unknown): string {
  if (error instanceof z.ZodError) return error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}`).join('; ');
  return error instanceof Error ? error.message : String(error);
}

/** The older studio export: its own JSON under `tessera:parameters` and no layout. */
function isOldStudioRecord(value: unknown): value is { seed?: unknown; model?: unknown } {
  return typeof value === 'object' && value !== null && !('format' in value) && 'seed' in value && typeof (value as { model?: unknown }).model === 'string';
}

export interface ReadRecord {
  record: ResultRecord;
  layout: LabelMap;
  /** The decoded image (RGB or RGBA as stored). */
  png: { width: number; height: number; channels: number; data: Uint8Array };
  /** Whether the record was migrated from an older format. */
  migrated: boolean;
}

/**
 * Reads the record and layout back from a result PNG. The PNG and the layout it carries are both
 * checked against `limits` before they are decoded (shared/png-guard.ts); the layout must match
 * the record's checksum. Errors say what the file is and what to do instead.
 */
export function readRecordPng(bytes: Uint8Array, limits: PngLimits = pngLimits('the image')): ReadRecord {
  const decoded = decodePngSafely(bytes, limits);
  const text = (decoded.text ?? {}) as Record<string, string>;
  const png = { width: decoded.width, height: decoded.height, channels: decoded.channels, data: decoded.data as Uint8Array };
  const layoutLimits = { ...limits, what: `the layout embedded in ${limits.what}` };
  const raw = text[PARAMETERS_KEY];
  if (raw === undefined && text[LEGACY_INPAINT_KEY] !== undefined) {
    let legacy: z.infer<typeof LegacyInpaintSchema>;
    try {
      legacy = LegacyInpaintSchema.parse(JSON.parse(text[LEGACY_INPAINT_KEY]));
    } catch (error) {
      throw new TesseraError('BAD_INPUT', `The PNG's Tessera parameters are unreadable: ${problem(error)}`);
    }
    const layout = readEmbeddedLayout(text, layoutLimits);
    if (!layout) throw new TesseraError('BAD_INPUT', 'The embedded layout is not a grayscale index PNG.');
    const record = makeRecord({
      model: legacy.model,
      layout,
      settings: legacy.settings,
      backend: legacy.backend,
      inpaint: { mode: 'region', options: legacy.options, regionTokens: legacy.regionTokens, totalTokens: legacy.totalTokens, fit: legacy.fit },
    });
    return { record, layout, png, migrated: true };
  }
  if (raw === undefined || text[LAYOUT_KEY] === undefined) {
    if (raw !== undefined) {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(raw);
      } catch {
        /* reported below */
      }
      if (isOldStudioRecord(parsed)) {
        throw new TesseraError(
          'BAD_INPUT',
          `This PNG was exported by an older Tessera studio, which did not store the layout (seed ${String(parsed.seed)}, model ${String(parsed.model)}). Export it again from the studio's history, or run generate with --layout <its layout PNG> --seed ${String(parsed.seed)}.`,
        );
      }
    }
    throw new TesseraError('BAD_INPUT', 'This PNG carries no Tessera parameters: it was not made by Tessera (the studio\u2019s PNG export, generate, batch or inpaint). Give --layout <png> instead.');
  }
  let record: ResultRecord;
  try {
    record = ResultRecordSchema.parse(JSON.parse(raw));
  } catch (error) {
    throw new TesseraError('BAD_INPUT', `The PNG's Tessera parameters are unreadable: ${problem(error)}`);
  }
  const layout = readEmbeddedLayout(text, layoutLimits);
  if (!layout) throw new TesseraError('BAD_INPUT', 'The embedded layout is not a grayscale index PNG.');
  if (layoutChecksum(layout) !== record.layoutSha256) throw new TesseraError('BAD_INPUT', 'The embedded layout does not match its recorded checksum.');
  return { record, layout, png, migrated: false };
}

const TokensSchema = z.strictObject({
  format: z.literal('tessera-tokens'),
  version: z.literal(1),
  model: z.strictObject({ id: z.string().max(64), version: z.string().max(32) }),
  grid: z.strictObject({ rows: z.number().int().positive().max(1024), cols: z.number().int().positive().max(1024) }),
  /** SHA-256 (hex) of the picture's RGB bytes: edited pixels no longer match their tokens. */
  pixelsSha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The tokens, row-major, as little-endian uint16, base64. */
  data: z.string().max(3_000_000),
});

function rgbSha256(image: RgbaImage): string {
  const hash = sha256.create();
  const row = new Uint8Array(image.width * 3);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) for (let c = 0; c < 3; c++) row[3 * x + c] = image.rgba[4 * (y * image.width + x) + c] as number;
    hash.update(row);
  }
  return bytesToHex(hash.digest());
}

/** The `tessera:tokens` value of a result: its tokens, the model that made them and its pixels' checksum. */
export function tokensText(input: { model: { id: string; version: string }; grid: { rows: number; cols: number }; tokens: ArrayLike<number>; image: RgbaImage }): string {
  const bytes = new Uint8Array(2 * input.tokens.length);
  for (let i = 0; i < input.tokens.length; i++) {
    const v = input.tokens[i] as number;
    bytes[2 * i] = v & 0xff;
    bytes[2 * i + 1] = (v >>> 8) & 0xff;
  }
  const value: z.infer<typeof TokensSchema> = { format: 'tessera-tokens', version: 1, model: { id: input.model.id, version: input.model.version }, grid: { rows: input.grid.rows, cols: input.grid.cols }, pixelsSha256: rgbSha256(input.image), data: bytesToBase64(bytes) };
  return asciiJson(value);
}

/**
 * The tokens a Tessera PNG carries, when they belong to this picture and this model: `null` when
 * it carries none, else the tokens or the reason they cannot be used (another model, edited
 * pixels, another size, a damaged chunk), for the caller to say before it encodes the pixels.
 */
export function readRecordTokens(text: Record<string, string>, expected: { model: { id: string; version: string }; image: RgbaImage; gridFactor: number }): { tokens: Uint16Array<ArrayBuffer> } | { why: string } | null {
  const raw = text[TOKENS_KEY];
  if (raw === undefined) return null;
  let parsed: z.infer<typeof TokensSchema>;
  try {
    parsed = TokensSchema.parse(JSON.parse(raw));
  } catch (error) {
    return { why: `its ${TOKENS_KEY} chunk is unreadable (${problem(error)})` };
  }
  const { model, grid } = parsed;
  const { image } = expected;
  if (model.id !== expected.model.id || model.version !== expected.model.version) return { why: `its tokens were made by ${model.id} ${model.version}, not ${expected.model.id} ${expected.model.version}` };
  if (grid.rows * expected.gridFactor !== image.height || grid.cols * expected.gridFactor !== image.width) return { why: `its tokens are a ${grid.cols}×${grid.rows} grid, not the ${image.width}×${image.height} px picture's` };
  const bytes = fromBase64(parsed.data);
  if (!bytes || bytes.length !== 2 * grid.rows * grid.cols) return { why: `its ${TOKENS_KEY} chunk does not hold ${grid.rows * grid.cols} tokens` };
  if (rgbSha256(image) !== parsed.pixelsSha256) return { why: 'its pixels were changed after it was made' };
  const tokens = new Uint16Array(grid.rows * grid.cols);
  for (let i = 0; i < tokens.length; i++) tokens[i] = (bytes[2 * i] as number) | ((bytes[2 * i + 1] as number) << 8);
  return { tokens };
}
