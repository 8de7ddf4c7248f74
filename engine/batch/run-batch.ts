/**
 * A batch: M layouts × N seeds with shared settings, optionally one shard of it, optionally
 * written to a folder (one self-describing PNG per image, a manifest, a contact sheet), resumable
 * after any interruption. Seeds of one layout are sampled together in groups of `groupSize`
 * (one [B, …] forward for B images; each keeps its own PRNG, so an image is the same whatever
 * group it lands in, which is what makes resumed and sharded runs equal an uninterrupted one).
 */
import { TesseraError } from '../../shared/errors.ts';
import type { BatchItem, GenerationResult } from '../../shared/protocol.ts';
import type { Engine, EventSink, JobContext } from '../engine.ts';
import type { LoadedModel } from '../model/loaded-model.ts';
import { BatchProgress } from './batch-progress.ts';
import { BatchSession, type BatchSessionOptions } from './batch-session.ts';
import { encodeItemPng } from './result-png.ts';
import type { PlannedItem } from './plan.ts';

/**
 * Seeds per forward. Measured on 2 shared CPU cores at 256×256 px, 4 images: fixture model 4.5 s
 * in one group against 8.8 s one by one; the default model's architecture (random weights) 55 s
 * against 86 s. The per-forward overhead is shared, tokens and pixels are identical. See
 * engine/README.md "Batch generation".
 */
export const DEFAULT_GROUP_SIZE: number = 4;

export interface BatchJobOptions extends BatchSessionOptions {
  jobId: string;
  /** Model id or bundle path. */
  model: string;
  groupSize?: number | undefined;
  /** Write contact.png when the whole batch is finished (default true). */
  contactSheet?: boolean | undefined;
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
  const groupSize = options.groupSize ?? DEFAULT_GROUP_SIZE;
  if (!Number.isInteger(groupSize) || groupSize < 1) throw new TesseraError('BAD_INPUT', `The group size must be a positive integer (got ${groupSize}).`);
  const session = await BatchSession.open({ manifest: model.manifest, backend: model.runtime.backend }, options);
  const { mine, finished, pending } = session;
  const total = session.plan.length;
  for (const item of mine) if (finished.has(item.index)) ctx.emit({ type: 'job.itemFinished', jobId: options.jobId, index: item.index, item: session.state(item.index) });
  if (finished.size > 0) note(`${finished.size} of ${mine.length} images were already finished (checked); ${pending.length} to make`);

  progress.start(pending.reduce((s, item) => s + session.tokensOf(item), 0));
  const workStarted = Date.now();
  let made = 0;
  let failed = 0;
  try {
    for (const group of groupItems(pending, groupSize)) {
      ctx.cancel.throwIfCancelled();
      const first = group[0] as PlannedItem;
      session.setRunning(group);
      progress.beginGroup(group.map((item) => ({ index: item.index, total })));
      let results: GenerationResult[];
      try {
        const outcome = await ctx.generate(model, {
          layouts: [session.layoutOf(first)],
          seeds: group.map((item) => item.seed),
          settings: session.settingsFor(first.seed),
          items: group.map((item) => ({ index: item.index, total })),
        });
        results = outcome.results;
      } catch (error) {
        // NaN logits are a property of one sample's path; other groups may be fine. Anything else stops the batch.
        if (!(error instanceof TesseraError && error.code === 'NUMERIC_ERROR')) throw error;
        for (const item of group) {
          failed++;
          ctx.emit({ type: 'job.itemFinished', jobId: options.jobId, index: item.index, item: session.failed(item, error.message) });
        }
        progress.endGroup(session.tokensOf(first));
        await session.save(false);
        continue;
      }
      for (const [k, result] of results.entries()) {
        const item = group[k] as PlannedItem;
        const state = await session.done(item, encodeItemPng(result.image, session.expected(item)));
        made++;
        ctx.emit({ type: 'job.itemFinished', jobId: options.jobId, index: item.index, item: { ...state }, result });
        await session.save(false);
      }
      progress.endGroup(session.tokensOf(first));
    }
  } catch (error) {
    await session.interrupted();
    throw error;
  }
  const workSeconds = (Date.now() - workStarted) / 1000;
  const contactSheet = await session.complete(options.contactSheet !== false);
  return {
    summary: { jobId: options.jobId, items: session.items(), ...(options.outDir !== undefined ? { outDir: options.outDir } : {}), seconds: (Date.now() - started) / 1000 },
    made,
    skipped: finished.size,
    failed,
    workSeconds,
    contactSheet,
  };
}
