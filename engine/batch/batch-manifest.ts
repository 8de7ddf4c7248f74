/**
 * `batch.json` (or `batch.shard-k-of-n.json`): what a batch folder holds and how far it got.
 * One file per shard, each listing only its own items, so shards never write the same file and
 * need no lock. The manifest is a report, not the truth: a resumed run checks every PNG itself.
 */
import { z } from 'zod';
import { TesseraError } from '../../shared/errors.ts';
import type { Manifest } from '../../shared/manifest.ts';
import { BatchItemSchema, GenerationSettingsSchema, type BatchItem } from '../../shared/protocol.ts';
import { sha256Hex } from './digest.ts';
import type { Shard } from './plan.ts';
import type { ModelIdentity } from './result-png.ts';

export const BATCH_FORMAT = 'tessera-batch';

const ModelIdentitySchema = z.strictObject({ id: z.string(), version: z.string(), hash: z.string() });

export const BatchManifestSchema = z.strictObject({
  format: z.literal(BATCH_FORMAT),
  version: z.literal(1),
  model: ModelIdentitySchema,
  backend: z.enum(['cpu', 'webgpu', 'wasm']),
  /** Shared by every item; `seed` is the first item's (each PNG records its own). */
  settings: GenerationSettingsSchema,
  shard: z.strictObject({ index: z.number().int().positive(), count: z.number().int().positive() }).nullable(),
  /** Items in the whole batch (all shards). */
  total: z.number().int().nonnegative(),
  layouts: z.array(z.strictObject({ name: z.string(), width: z.number().int(), height: z.number().int(), sha256: z.string() })),
  seeds: z.array(z.number().int()),
  items: z.array(BatchItemSchema.extend({ index: z.number().int().nonnegative() })),
});
export type BatchManifest = z.infer<typeof BatchManifestSchema>;
export type ManifestItem = BatchItem & { index: number };

export function manifestFileName(shard: Shard | null): string {
  return shard === null ? 'batch.json' : `batch.shard-${shard.index}-of-${shard.count}.json`;
}

export const MANIFEST_FILE = /^batch(\.shard-\d+-of-\d+)?\.json$/;

/** The model as a batch records it: id, version, and a hash of the graph files' hashes. */
export function modelIdentity(manifest: Manifest): ModelIdentity {
  const f = manifest.files;
  const hash = sha256Hex(`condEncoder:${f.condEncoder.sha256}\nimageEncoder:${f.imageEncoder.sha256}\nimageDecoder:${f.imageDecoder.sha256}\ntransformer:${f.transformer.sha256}\n`);
  return { id: manifest.id, version: manifest.version, hash };
}

export function parseBatchManifest(text: string): BatchManifest | null {
  try {
    const parsed = BatchManifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** What must agree for two runs to share a folder: same model, backend and sampling settings. */
export interface BatchIdentity {
  model: ModelIdentity;
  backend: BatchManifest['backend'];
  settings: BatchManifest['settings'];
}

/**
 * What to do about a folder that holds another batch, for every client: the CLI's flag and the
 * studio's button (details.batchConflict tells a client to offer it).
 */
export const BATCH_CONFLICT_ADVICE =
  'Use another output folder, or mix them (CLI: --force; studio: Mix into this folder): images that do not match this run are then made again.';

/**
 * Refuses to mix a folder's earlier batch with this one when the model, backend or settings
 * differ (the images would not belong together, and the earlier ones would be overwritten),
 * unless forced. `file` names the manifest or image that disagrees.
 */
export function checkSameBatch(existing: BatchIdentity, current: BatchIdentity, file: string, dir: string, force: boolean): string | null {
  const differences: string[] = [];
  if (existing.model.hash !== current.model.hash) {
    differences.push(`model ${existing.model.id} ${existing.model.version} (hash ${existing.model.hash.slice(0, 12)}) instead of ${current.model.id} ${current.model.version} (hash ${current.model.hash.slice(0, 12)})`);
  }
  if (existing.backend !== current.backend) differences.push(`backend ${existing.backend} instead of ${current.backend}`);
  const a = existing.settings;
  const b = current.settings;
  for (const key of ['temperature', 'topK', 'topP', 'sampler', 'stride'] as const) {
    if (a[key] !== b[key]) differences.push(`${key} ${a[key]} instead of ${b[key]}`);
  }
  if (differences.length === 0) return null;
  const message = `${dir} already holds a batch made with ${differences.join(', ')} (${file}).`;
  if (force) return `${message} Mixing them (forced): images that do not match this run are made again.`;
  throw new TesseraError('BAD_INPUT', `${message} ${BATCH_CONFLICT_ADVICE}`, { file, batchConflict: true });
}
