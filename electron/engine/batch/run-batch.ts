/**
 * A batch: M layouts × N seeds with shared settings, optionally one shard of it, optionally
 * written to a folder (one self-describing PNG per image, a manifest, a contact sheet), resumable
 * after any interruption. Seeds of one layout are sampled together in groups of `groupSize`
 * (one [B, …] forward for B images; each keeps its own PRNG, so an image is the same whatever
 * group it lands in, which is what makes resumed and sharded runs equal an uninterrupted one).
 */
import { TesseraError } from '../../../shared/errors.ts';
import type { PixelSize } from '../../../shared/grid.ts';
import type { LabelMap } from '../../../shared/labelmap.ts';
import type { BatchItem, GenerationResult, GenerationSettings } from '../../../shared/protocol.ts';
import type { Engine, EventSink, JobContext } from '../engine.ts';
import { checkLayout, checkSettings } from '../generate.ts';
import type { LoadedModel } from '../model/loaded-model.ts';
import type { BatchFs } from './batch-fs.ts';
import { BatchFolder } from './batch-folder.ts';
import { BATCH_FORMAT, modelIdentity, type BatchIdentity, type BatchManifest } from './batch-manifest.ts';
import { BatchProgress } from './batch-progress.ts';
import { layoutChecksum, encodeItemPng, expectedText, recordedSettings } from './result-png.ts';
import { inShard, planBatch, type NamedLayout, type PlannedItem, type Shard } from './plan.ts';

/**
 * Seeds per forward. Measured on 2 shared CPU cores at 256×256 px, 4 images: fixture model 4.5 s
 * in one group against 8.8 s one by one; the default model's architecture (random weights) 55 s
 * against 86 s. The per-forward overhead is shared, tokens and pixels are identical. See
 * electron/engine/README.md "Batch generation".
 */
export const DEFAULT_GROUP_SIZE: number = 4;

/** The canvas limit of the early layout check; the engine's own limit is applied when sampling. */
const PROTOCOL_MAX_CANVAS: PixelSize = { width: 8192, height: 8192 };

export interface BatchJobOptions {
  jobId: string;
  /** Model id or bundle path. */
  model: string;
  layouts: readonly NamedLayout[];
  seeds: readonly number[];
  /** Shared settings; `seed` is ignored (each item has its own). */
  settings: GenerationSettings;
  /** Output folder; results only travel as events when omitted. Needs `fs`. */
  outDir?: string | undefined;
  fs?: BatchFs | null | undefined;
  shard?: Shard | null | undefined;
  /** Mix with a folder made by another model/settings, replacing what does not match. */
  force?: boolean | undefined;
  groupSize?: number | undefined;
  maxCanvas?: PixelSize | undefined;
  /** Write contact.png when the whole batch is finished (default true). */
  contactSheet?: boolean | undefined;
  /** Human remarks (resumed items, stale files removed, waiting shards). */
  onNote?: ((message: string) => void) | undefined;
}

export interface BatchRunReport {
  /** The job.batch reply (shared/protocol.ts BatchSummarySchema). */
  summary: { jobId: string; items: BatchItem[]; outDir?: string; seconds: number };
  /** Images made by this run, found finished (skipped), failed. */
  made: number;
  skipped: number;
  failed: number;
  /** Seconds spent sampling and writing (model loading and folder checks excluded). */
  workSeconds: number;
  contactSheet: boolean;
}

/** Runs a batch as one engine job (queue, cancel, job.finished / job.failed). */
export function runBatchJob(engine: Engine, options: BatchJobOptions, emit: EventSink): Promise<BatchRunReport> {
  const progress = new BatchProgress(options.jobId, emit);
  return engine.runJob(options.jobId, progress.sink, async (ctx) => {
    const model = await ctx.model(options.model);
    return runBatch(ctx, model, options, progress);
  });
}

/** Consecutive pending items of one layout, at most `size` per group. */
export function groupItems(items: readonly PlannedItem[], size: number): PlannedItem[][] {
  const groups: PlannedItem[][] = [];
  for (const item of items) {
    const last = groups.at(-1);
    if (last && last.length < size && (last[0] as PlannedItem).layout === item.layout) last.push(item);
    else groups.push([item]);
  }
  return groups;
}

export async function runBatch(ctx: JobContext, model: LoadedModel, options: BatchJobOptions, progress: BatchProgress): Promise<BatchRunReport> {
  const started = Date.now();
  const note = options.onNote ?? (() => undefined);
  const shard = options.shard ?? null;
  const groupSize = options.groupSize ?? DEFAULT_GROUP_SIZE;
  if (!Number.isInteger(groupSize) || groupSize < 1) throw new TesseraError('BAD_INPUT', `The group size must be a positive integer (got ${groupSize}).`);
  if (options.outDir !== undefined && !options.fs) throw new TesseraError('INTERNAL', 'A batch output folder needs a file system (BatchFs).');

  const plan = planBatch(options.layouts, options.seeds);
  const layouts = new Map<string, LabelMap>(options.layouts.map((l) => [l.name, l.layout]));
  for (const l of options.layouts) {
    try {
      checkLayout(l.layout, model, options.maxCanvas ?? PROTOCOL_MAX_CANVAS);
    } catch (error) {
      if (error instanceof TesseraError) throw new TesseraError(error.code, `Layout "${l.name}": ${error.message}`, error.details);
      throw error;
    }
  }
  checkSettings(options.settings, model);
  const seeds = [...new Set(options.seeds)].sort((a, b) => a - b);
  const identity: BatchIdentity = { model: modelIdentity(model.manifest), backend: model.runtime.backend, settings: recordedSettings(options.settings) };
  const settingsFor = (seed: number): GenerationSettings => ({ ...options.settings, seed });
  const expected = (item: PlannedItem) =>
    expectedText({ model: identity.model, backend: identity.backend, layoutName: item.layout, layout: layouts.get(item.layout) as LabelMap, settings: settingsFor(item.seed) });

  const mine = plan.filter((item) => inShard(item.index, shard));
  const folder = options.outDir !== undefined && options.fs ? new BatchFolder({ fs: options.fs, dir: options.outDir, shard, identity, force: options.force === true, note, expected }) : null;
  const fileOf = (item: PlannedItem): string | undefined => (folder ? folder.path(item.file) : undefined);
  const finished = folder ? await folder.prepare(mine) : new Set<number>();

  const states = new Map<number, BatchItem>();
  for (const item of mine) {
    const file = fileOf(item);
    states.set(item.index, { layout: item.layout, seed: item.seed, ...(file ? { file } : {}), state: finished.has(item.index) ? 'skipped' : 'pending' });
  }
  const manifest = (): BatchManifest => ({
    format: BATCH_FORMAT,
    version: 1,
    model: identity.model,
    backend: identity.backend,
    settings: recordedSettings(settingsFor(seeds[0] as number)),
    shard,
    total: plan.length,
    layouts: [...layouts.entries()].map(([name, l]) => ({ name, width: l.width, height: l.height, sha256: layoutChecksum(l) })).sort((a, b) => (a.name < b.name ? -1 : 1)),
    seeds,
    // Relative names in the manifest (the folder may move); a finished-earlier item is simply done.
    items: mine.map((item) => {
      const s = states.get(item.index) as BatchItem;
      return { index: item.index, layout: s.layout, seed: s.seed, file: item.file, state: s.state === 'skipped' ? 'done' : s.state, ...(s.error ? { error: s.error } : {}) };
    }),
  });
  const saveManifest = async (now: boolean): Promise<void> => {
    await folder?.writeManifest(manifest(), now);
  };
  await saveManifest(true);

  const total = plan.length;
  for (const item of mine) if (finished.has(item.index)) ctx.emit({ type: 'job.itemFinished', jobId: options.jobId, index: item.index, item: states.get(item.index) as BatchItem });
  if (finished.size > 0) note(`${finished.size} of ${mine.length} images were already finished (checked); ${mine.length - finished.size} to make`);

  const pending = mine.filter((item) => !finished.has(item.index));
  const tokensOf = (item: PlannedItem): number => {
    const l = layouts.get(item.layout) as LabelMap;
    return (l.width / model.manifest.gridFactor) * (l.height / model.manifest.gridFactor);
  };
  progress.start(pending.reduce((s, item) => s + tokensOf(item), 0));
  const workStarted = Date.now();
  let made = 0;
  let failed = 0;
  try {
    for (const group of groupItems(pending, groupSize)) {
      ctx.cancel.throwIfCancelled();
      const first = group[0] as PlannedItem;
      for (const item of group) (states.get(item.index) as BatchItem).state = 'running';
      progress.beginGroup(group.map((item) => ({ index: item.index, total })));
      let results: GenerationResult[];
      try {
        const outcome = await ctx.generate(model, {
          layouts: [layouts.get(first.layout) as LabelMap],
          seeds: group.map((item) => item.seed),
          settings: settingsFor(first.seed),
          items: group.map((item) => ({ index: item.index, total })),
        });
        results = outcome.results;
      } catch (error) {
        // NaN logits are a property of one sample's path; other groups may be fine. Anything else stops the batch.
        if (!(error instanceof TesseraError && error.code === 'NUMERIC_ERROR')) throw error;
        for (const item of group) {
          const state = Object.assign(states.get(item.index) as BatchItem, { state: 'failed' as const, error: error.message });
          failed++;
          ctx.emit({ type: 'job.itemFinished', jobId: options.jobId, index: item.index, item: state });
        }
        progress.endGroup(tokensOf(first));
        await saveManifest(false);
        continue;
      }
      for (const [k, result] of results.entries()) {
        const item = group[k] as PlannedItem;
        await folder?.writeImage(item, encodeItemPng(result.image, expected(item)));
        const state = states.get(item.index) as BatchItem;
        state.state = 'done';
        made++;
        ctx.emit({ type: 'job.itemFinished', jobId: options.jobId, index: item.index, item: { ...state }, result });
        await saveManifest(false);
      }
      progress.endGroup(tokensOf(first));
    }
  } catch (error) {
    // Whatever stopped the run (cancel, a full disk, a kill of the engine), the manifest says how far it got.
    for (const s of states.values()) if (s.state === 'running') s.state = 'pending';
    await saveManifest(true).catch(() => undefined);
    throw error;
  }
  const workSeconds = (Date.now() - workStarted) / 1000;
  await saveManifest(true);

  let contactSheet = false;
  if (folder && options.contactSheet !== false) {
    contactSheet = await folder.writeContactSheet(plan, layouts, seeds, model.manifest);
    if (!contactSheet) note('contact.png is written by the run that finishes the last image of the batch (other shards are not finished yet)');
  }
  const items = mine.map((item) => states.get(item.index) as BatchItem);
  return {
    summary: { jobId: options.jobId, items, ...(options.outDir !== undefined ? { outDir: options.outDir } : {}), seconds: (Date.now() - started) / 1000 },
    made,
    skipped: finished.size,
    failed,
    workSeconds,
    contactSheet,
  };
}
