/**
 * A batch image as a PNG that describes itself. Its tEXt chunks are those of `tessera generate`
 * (electron/cli/support/png.ts: `tessera:parameters` is a valid GenerationRecord and
 * `tessera:layout` the layout as a base64 index PNG, so `generate --reproduce` works on batch
 * images) plus `tessera:batch` (layout name, seed, model hash). Nothing in it depends on time,
 * shard or order, so the same item always gives the same bytes: that is what lets a resumed or
 * sharded batch equal an uninterrupted one, file for file.
 *
 * The tEXt keys and the RGB encoding live here, in the engine core (no Node), and the CLI's
 * png.ts uses them; tests check that the CLI reads these files.
 */
import { encode, type DecodedPng } from 'fast-png';
import { DEFAULT_MAX_CANVAS } from '../../../shared/grid.ts';
import { encodeIndexPng, type LabelMap } from '../../../shared/labelmap.ts';
import { decodePngSafely, pngLimits, type PngLimits } from '../../../shared/png-guard.ts';
import type { ActiveBackend, GenerationSettings, RgbaImage } from '../../../shared/protocol.ts';
import { fromBase64, sha256Hex, toBase64 } from './digest.ts';

export const PARAMETERS_KEY = 'tessera:parameters';
export const LAYOUT_KEY = 'tessera:layout';
export const BATCH_KEY = 'tessera:batch';

export interface ModelIdentity {
  id: string;
  version: string;
  /** sha256 over the manifest's file hashes: two bundles with one id but other weights differ here. */
  hash: string;
}

export interface ItemDescription {
  model: ModelIdentity;
  backend: ActiveBackend;
  layoutName: string;
  layout: LabelMap;
  settings: GenerationSettings;
}

/** The tEXt values an item's PNG must carry, exactly (they are compared as strings). */
export interface ExpectedText {
  width: number;
  height: number;
  parameters: string;
  layout: string;
  batch: string;
}

/** The checksum `tessera generate` records for a layout (same bytes hashed in the same order). */
export function layoutChecksum(layout: LabelMap): string {
  return sha256Hex(layout.data, `${layout.width}x${layout.height}`);
}

/**
 * Settings as recorded: a fixed key order (the JSON is compared byte for byte) and no
 * decodedPreviews, which changes what the viewer sees while sampling, never the image.
 */
export function recordedSettings(s: GenerationSettings): GenerationSettings {
  return { seed: s.seed, temperature: s.temperature, topK: s.topK, topP: s.topP, sampler: s.sampler, stride: s.stride, decodedPreviews: false };
}

/**
 * JSON with every non-ASCII character escaped: tEXt chunks are Latin-1, and a layout named "湖"
 * must still round-trip exactly (JSON.parse reads the escapes back).
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function expectedText(item: ItemDescription): ExpectedText {
  const { layout } = item;
  const parameters = {
    format: 'tessera-generation',
    version: 1,
    // No model path: shards on other machines keep the bundle elsewhere, and the file must not differ.
    model: { id: item.model.id, version: item.model.version },
    size: { width: layout.width, height: layout.height },
    settings: recordedSettings(item.settings),
    backend: item.backend,
    layoutSha256: layoutChecksum(layout),
  };
  const batch = { format: 'tessera-batch-item', version: 1, layout: item.layoutName, seed: item.settings.seed, model: item.model };
  return { width: layout.width, height: layout.height, parameters: asciiJson(parameters), layout: toBase64(encodeIndexPng(layout)), batch: asciiJson(batch) };
}

export function encodeItemPng(image: RgbaImage, text: ExpectedText): Uint8Array {
  return encodeRgbPng(image, { [PARAMETERS_KEY]: text.parameters, [LAYOUT_KEY]: text.layout, [BATCH_KEY]: text.batch });
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

export type PngCheck = { ok: true; rgb: Uint8Array } | { ok: false; reason: string };

/**
 * Whether `bytes` is this item's finished image: the PNG decodes (CRCs checked, pixels
 * inflated to the end), has the right size and format, and its tEXt matches exactly.
 */
export function checkItemPng(bytes: Uint8Array, expected: ExpectedText): PngCheck {
  let png: DecodedPng;
  try {
    // Nothing larger than the item itself is decoded: a damaged or foreign file costs no more.
    png = decodePngSafely(bytes, { maxWidth: expected.width, maxHeight: expected.height, what: 'the file' });
  } catch (error) {
    return { ok: false, reason: `not a readable PNG (${error instanceof Error ? error.message : String(error)})` };
  }
  if (png.width !== expected.width || png.height !== expected.height) return { ok: false, reason: `${png.width}×${png.height} instead of ${expected.width}×${expected.height}` };
  if (png.channels !== 3 || png.depth !== 8 || png.data.length !== expected.width * expected.height * 3) return { ok: false, reason: 'not an 8-bit RGB image' };
  const text = png.text;
  if (text[PARAMETERS_KEY] !== expected.parameters) return { ok: false, reason: 'its parameters differ' };
  if (text[BATCH_KEY] !== expected.batch) return { ok: false, reason: 'its batch entry differs' };
  if (text[LAYOUT_KEY] !== expected.layout) return { ok: false, reason: 'its layout differs' };
  return { ok: true, rgb: png.data as Uint8Array };
}

/**
 * The model a Tessera batch PNG was made with (null for any other file). `size` is the expected
 * item's: files up to it, or up to the default canvas limit, are read (an earlier run may have used another --size).
 */
export function readItemModel(bytes: Uint8Array, size: { width: number; height: number }): ModelIdentity | null {
  try {
    const limits = { maxWidth: Math.max(size.width, DEFAULT_MAX_CANVAS.width), maxHeight: Math.max(size.height, DEFAULT_MAX_CANVAS.height), what: 'the file' };
    const raw = decodePngSafely(bytes, limits).text[BATCH_KEY];
    if (raw === undefined) return null;
    const model = (JSON.parse(raw) as { model?: Partial<ModelIdentity> }).model;
    return typeof model?.id === 'string' && typeof model.version === 'string' && typeof model.hash === 'string' ? { id: model.id, version: model.version, hash: model.hash } : null;
  } catch {
    return null;
  }
}

/**
 * The layout a Tessera PNG carries (generate, batch and inpaint outputs), or null when it carries
 * none or one that is not an 8-bit grayscale index PNG. One that is damaged, a decompression bomb
 * or over `limits` is refused with the guard's error (shared/png-guard.ts), naming it.
 */
export function readEmbeddedLayout(text: Record<string, string>, limits: PngLimits = pngLimits('the embedded layout')): LabelMap | null {
  const raw = text[LAYOUT_KEY];
  const bytes = raw === undefined ? null : fromBase64(raw);
  if (!bytes) return null;
  const png = decodePngSafely(bytes, limits);
  if (png.channels !== 1 || png.depth !== 8 || png.palette) return null;
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}
