/**
 * A batch image as a PNG that describes itself. Its tEXt chunks are those of `tessera generate`
 * (electron/cli/support/png.ts: `tessera:parameters` is a valid GenerationRecord and
 * `tessera:layout` the layout as a base64 index PNG, so `generate --reproduce` works on batch
 * images) plus `tessera:batch` (layout name, seed, model hash). Nothing in it depends on time,
 * shard or order, so the same item always gives the same bytes: that is what lets a resumed or
 * sharded batch equal an uninterrupted one, file for file.
 *
 * The record format itself (keys, schema, canonical JSON, RGB encoding, the embedded layout) is
 * shared/result-record.ts, which every writer and reader uses; tests check the CLI reads these files.
 */
import type { DecodedPng } from 'fast-png';
import { DEFAULT_MAX_CANVAS } from '../../shared/grid.ts';
import type { LabelMap } from '../../shared/labelmap.ts';
import { decodePngSafely } from '../../shared/png-guard.ts';
import type { ActiveBackend, GenerationSettings, RgbaImage } from '../../shared/protocol.ts';
import { asciiJson, BATCH_KEY, encodeRgbPng, LAYOUT_KEY, makeRecord, PARAMETERS_KEY, recordText } from '../../shared/result-record.ts';

export { asciiJson, BATCH_KEY, encodeRgbPng, layoutChecksum, LAYOUT_KEY, PARAMETERS_KEY, readEmbeddedLayout, recordedSettings } from '../../shared/result-record.ts';

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

export function expectedText(item: ItemDescription): ExpectedText {
  const { layout } = item;
  // No model path: shards on other machines keep the bundle elsewhere, and the file must not differ.
  const record = makeRecord({ model: { id: item.model.id, version: item.model.version }, layout, settings: item.settings, backend: item.backend });
  const text = recordText(record, layout);
  const batch = { format: 'tessera-batch-item', version: 1, layout: item.layoutName, seed: item.settings.seed, model: item.model };
  return { width: layout.width, height: layout.height, parameters: text[PARAMETERS_KEY], layout: text[LAYOUT_KEY], batch: asciiJson(batch) };
}

export function encodeItemPng(image: RgbaImage, text: ExpectedText): Uint8Array {
  return encodeRgbPng(image, { [PARAMETERS_KEY]: text.parameters, [LAYOUT_KEY]: text.layout, [BATCH_KEY]: text.batch });
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
