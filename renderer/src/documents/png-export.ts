/**
 * PNG export in the one record format of every Tessera result (shared/result-record.ts): the
 * parameters, the layout and (for inpainted results) what was regenerated travel in tEXt, so
 * `npm run cli -- generate --reproduce file.png` makes the same image again, byte for byte.
 */
import { encodeRecordPng, makeRecord, tokensText, TOKENS_KEY, type InpaintRecord, type ResultRecord } from '../../../shared/result-record.ts';
import type { GalleryEntry, ModelInfo } from '../state/types.ts';

/** The model version of an entry: recorded with it, else the listed model of that id. */
function modelVersion(entry: GalleryEntry, models: readonly ModelInfo[]): string {
  return entry.modelVersion ?? models.find((m) => m.id === entry.modelId)?.version ?? 'unknown';
}

function inpaintRecord(entry: GalleryEntry): InpaintRecord | undefined {
  if (entry.kind !== 'inpaint' && entry.kind !== 'resample') return undefined;
  const region = entry.result.region;
  const totalTokens = entry.result.grid.rows * entry.result.grid.cols;
  const regionTokens = region ? region.reduce((a, b) => a + (b ? 1 : 0), 0) : 0;
  const options = entry.inpaintOptions ?? { dilation: 0, blend: 0, keepOutside: true };
  return { mode: entry.kind === 'resample' ? 'tokens' : 'region', options, regionTokens, totalTokens, fit: null };
}

export function resultRecord(entry: GalleryEntry, models: readonly ModelInfo[] = []): ResultRecord {
  return makeRecord({
    model: { id: entry.modelId, version: modelVersion(entry, models) },
    layout: entry.layout,
    settings: entry.result.settings,
    backend: entry.result.backend,
    inpaint: inpaintRecord(entry),
    outpaint: entry.outpaint,
  });
}

/** The PNG, with the result's tokens (`tessera:tokens`) so outpainting it keeps them as context. */
export function encodeResultPng(entry: GalleryEntry, models: readonly ModelInfo[] = []): Uint8Array {
  const record = resultRecord(entry, models);
  const { image, grid, tokens } = entry.result;
  return encodeRecordPng(image, record, entry.layout, { [TOKENS_KEY]: tokensText({ model: record.model, grid, tokens, image }) });
}

/**
 * A file name no other result of the session shares: the seed alone repeats when it is locked,
 * so the kind and the entry's own id follow it.
 */
export function resultFileName(entry: GalleryEntry, safe: (name: string) => string): string {
  const tail = entry.id.split('-').slice(1).join('-') || entry.id;
  return `tessera-${safe(entry.modelId)}-seed${entry.result.settings.seed}-${entry.kind}-${safe(tail)}.png`;
}
