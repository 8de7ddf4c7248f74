/**
 * `tessera batch --queue`: the local batch's plan and folder (BatchSession: same order, names,
 * checks, batch.json, contact sheet), with the images made by `tessera worker` processes through
 * a BullMQ queue on Redis. One job per image, with a deterministic id (shared/queue.ts queueJobId),
 * so a rerun finds the jobs of an earlier run (waiting, running, or finished with their result
 * still in Redis) and adds only what is missing; a finished folder adds nothing.
 *
 * Results are read from BullMQ's events, and checked against Redis every few seconds (an event
 * can be missed: a reconnect, a trimmed stream). Each result is checked like a file found in the
 * folder (checkItemPng: CRCs, size, tEXt byte for byte) and written once, atomically, by the same
 * code the local batch uses; then its job is removed from Redis. Retries, backoff and stalled-job
 * recovery are BullMQ's (attempts and backoff set here, stall detection on the workers).
 */
import { decode } from 'fast-png';
import { Queue, QueueEvents, type JobsOptions, type JobState } from 'bullmq';
import { TesseraError, toErrorPayload } from '../../shared/errors.ts';
import type { ActiveBackend, BatchItem, GenerationResult } from '../../shared/protocol.ts';
import { parseQueueFailure, queueJobId, QueueResultSchema, type QueueJob, type QueueResult } from '../../shared/queue.ts';
import { QUEUE_PREFIX, queueName, redactQueueUrl } from '../../shared/queue-target.ts';
import type { Manifest } from '../../shared/manifest.ts';
import { BatchSession, checkItemPng, type BatchRunReport, type BatchSessionOptions, type PlannedItem } from '../../engine/batch/index.ts';
import { fromBase64, sha256Hex } from '../../engine/batch/digest.ts';
import type { EventSink } from '../../engine/engine.ts';
import { ProgressMeter } from '../../engine/jobs/progress.ts';
import { probeRedis, redisOptions } from './connection.ts';

/** Events in the queue's stream (each holds a finished job's result until trimmed): bounds Redis memory. */
const EVENTS_MAX_LEN = 1000;
const RECONCILE_MS = 3000;
const WORKERS_MS = 5000;
/** Ids per round trip when asking Redis about many jobs. */
const CHUNK = 200;

export interface QueueBatchOptions extends BatchSessionOptions {
  jobId: string;
  url: string;
  manifest: Manifest;
  /** The backend the workers must run (it is in every PNG's record). */
  backend: ActiveBackend;
  /** Tries per image (BullMQ attempts), with exponential backoff from backoffMs. */
  attempts: number;
  backoffMs: number;
  /** How long finished or failed jobs stay in Redis when nobody collects them. */
  keepSeconds: number;
  contactSheet: boolean;
  /** Send each image's GenerationResult with job.itemFinished (the studio's gallery); the CLI does not need it. */
  results: boolean;
  signal?: AbortSignal;
}

export interface QueueBatchReport extends BatchRunReport {
  /** Jobs this run added to the queue (0 when everything was finished, or already queued). */
  enqueued: number;
  /** Results collected from jobs an earlier run had queued. */
  collected: number;
  queue: string;
}

type Outcome = { kind: 'done'; result: QueueResult } | { kind: 'failed'; reason: string } | { kind: 'gone' };

export async function runQueueBatch(options: QueueBatchOptions, emit: EventSink): Promise<QueueBatchReport> {
  const started = Date.now();
  const note = options.onNote ?? (() => undefined);
  const session = await BatchSession.open({ manifest: options.manifest, backend: options.backend }, options);
  const { mine, finished, pending } = session;
  for (const item of mine) if (finished.has(item.index)) emit({ type: 'job.itemFinished', jobId: options.jobId, index: item.index, item: session.state(item.index) });
  if (finished.size > 0) note(`${finished.size} of ${mine.length} images were already finished (checked); ${pending.length} to make`);
  const name = queueName(session.identity.model.hash, options.backend);
  const report = (extra: { made: number; failed: number; enqueued: number; collected: number; workSeconds: number; contactSheet: boolean }): QueueBatchReport => ({
    summary: { jobId: options.jobId, items: session.items(), ...(session.outDir !== undefined ? { outDir: session.outDir } : {}), seconds: (Date.now() - started) / 1000 },
    skipped: finished.size,
    queue: name,
    ...extra,
  });
  if (pending.length === 0) {
    // Nothing to make: Redis is not even asked.
    const contactSheet = await session.complete(options.contactSheet);
    return report({ made: 0, failed: 0, enqueued: 0, collected: 0, workSeconds: 0, contactSheet });
  }

  for (const warning of await probeRedis(options.url)) note(warning);
  const connection = { ...redisOptions(options.url), maxRetriesPerRequest: null };
  const queue = new Queue(name, { connection, prefix: QUEUE_PREFIX, streams: { events: { maxLen: EVENTS_MAX_LEN } } });
  const events = new QueueEvents(name, { connection, prefix: QUEUE_PREFIX });
  let lastError = '';
  const onRedisError = (error: Error): void => {
    if (error.message !== lastError) note(`Redis at ${redactQueueUrl(options.url)}: ${error.message} (reconnecting)`);
    lastError = error.message;
  };
  queue.on('error', onRedisError);
  events.on('error', onRedisError);

  const byJob = new Map<string, PlannedItem>();
  for (const item of pending) byJob.set(jobIdOf(session, item), item);
  const outstanding = new Set(byJob.keys());
  const partial = new Map<string, number>();
  const tokensTotal = pending.reduce((s, item) => s + session.tokensOf(item), 0);
  let tokensFinished = 0;
  const meter = new ProgressMeter(tokensTotal, () => Date.now());
  let made = 0;
  let failed = 0;
  let collected = 0;
  let enqueued = 0;
  const workStarted = Date.now();

  const progressed = (): void => {
    let tokensDone = tokensFinished;
    for (const t of partial.values()) tokensDone += t;
    tokensDone = Math.min(tokensTotal, tokensDone);
    const rate = meter.measure(tokensDone);
    emit({ type: 'job.progressed', jobId: options.jobId, tokensDone, tokensTotal: Math.max(1, tokensTotal), tokensPerSecond: rate.tokensPerSecond, etaSeconds: rate.etaSeconds });
  };

  // Everything that changes the folder or the items runs one after another, in arrival order.
  let chain: Promise<void> = Promise.resolve();
  let fatal: unknown = null;
  let wake: () => void = () => undefined;
  const settle = (jobId: string, outcome: Outcome, fromEarlierRun = false): void => {
    chain = chain.then(async () => {
      const item = byJob.get(jobId);
      if (!item || !outstanding.has(jobId)) return;
      if (outcome.kind === 'gone') {
        // Removed from Redis before we saw its result (by hand, or by its age): queue it again.
        await queue.add('generate', jobData(session, item), jobOptions(options, jobId));
        enqueued++;
        return;
      }
      outstanding.delete(jobId);
      partial.delete(jobId);
      tokensFinished += session.tokensOf(item);
      let state: BatchItem;
      let result: GenerationResult | undefined;
      const checked = outcome.kind === 'done' ? checkResult(session, item, outcome.result) : null;
      if (outcome.kind === 'done' && checked?.ok) {
        state = { ...(await session.done(item, checked.png)) };
        made++;
        if (fromEarlierRun) collected++;
        if (options.results) result = toGenerationResult(session, item, options, outcome.result, checked.png);
      } else {
        const message = outcome.kind === 'failed' ? parseQueueFailure(outcome.reason).message : `worker ${outcome.result.worker} sent an image that fails the check (${checked && !checked.ok ? checked.reason : '?'}); it was not written. Run the batch again to make it again.`;
        state = { ...session.failed(item, message) };
        failed++;
      }
      emit({ type: 'job.itemFinished', jobId: options.jobId, index: item.index, item: state, ...(result ? { result } : {}) });
      await session.save(false);
      progressed();
      // Collected: the result's only copy now is the file.
      if (outcome.kind === 'done') await queue.remove(jobId).catch(() => 0);
      if (outstanding.size === 0) wake();
    });
    chain = chain.catch((error: unknown) => {
      fatal ??= error;
      wake();
    });
  };

  /** Asks Redis where each outstanding job is, and settles the finished ones; the first time, adds the missing ones. */
  let reconciling = false;
  const reconcile = async (adding: boolean): Promise<void> => {
    if (reconciling) return;
    reconciling = true;
    try {
      await reconcileOnce(adding);
    } finally {
      reconciling = false;
    }
  };
  const reconcileOnce = async (adding: boolean): Promise<void> => {
    const ids = [...outstanding];
    const toAdd: string[] = [];
    const failedBefore: string[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const states = await Promise.all(chunk.map((id) => queue.getJobState(id)));
      for (const [k, id] of chunk.entries()) {
        const state = states[k] as JobState | 'unknown';
        if (state === 'completed') {
          const job = await queue.getJob(id);
          if (job) settle(id, parseOutcome(job.returnvalue), adding);
        } else if (state === 'failed') {
          if (adding) failedBefore.push(id);
          else settle(id, { kind: 'failed', reason: (await queue.getJob(id))?.failedReason ?? '' });
        } else if (state === 'unknown') {
          if (adding) toAdd.push(id);
          else settle(id, { kind: 'gone' });
        }
      }
    }
    if (!adding) return;
    if (failedBefore.length > 0) {
      // An earlier run gave up on these: a rerun tries them again, with fresh attempts.
      note(`${failedBefore.length} image(s) failed in an earlier run; trying them again`);
      for (const id of failedBefore) await queue.remove(id);
      toAdd.push(...failedBefore);
    }
    const order = new Map(pending.map((item, i) => [item.index, i]));
    toAdd.sort((a, b) => (order.get((byJob.get(a) as PlannedItem).index) as number) - (order.get((byJob.get(b) as PlannedItem).index) as number));
    for (let i = 0; i < toAdd.length; i += CHUNK) {
      const chunk = toAdd.slice(i, i + CHUNK);
      await queue.addBulk(chunk.map((id) => ({ name: 'generate', data: jobData(session, byJob.get(id) as PlannedItem), opts: jobOptions(options, id) })));
      enqueued += chunk.length;
    }
  };

  let workers = -1;
  let idleSince = Date.now();
  let warnedIdle = false;
  const checkWorkers = async (): Promise<void> => {
    const list = await queue.getWorkers();
    if (list.length !== workers) {
      note(`${list.length} worker(s) on ${name}`);
      workers = list.length;
      warnedIdle = false;
      idleSince = Date.now();
    }
    if (workers === 0 && !warnedIdle && Date.now() - idleSince > 2 * WORKERS_MS) {
      warnedIdle = true;
      note(`No worker is serving ${session.identity.model.id} ${session.identity.model.version} on ${options.backend} at ${redactQueueUrl(options.url)}; the jobs wait in Redis. Start one: npm run cli -- worker --queue ${redactQueueUrl(options.url)} --model ${session.identity.model.id} --backend ${options.backend}`);
    }
  };

  const timers: NodeJS.Timeout[] = [];
  try {
    events.on('completed', ({ jobId, returnvalue }) => {
      if (outstanding.has(jobId)) settle(jobId, parseOutcome(returnvalue));
    });
    events.on('failed', ({ jobId, failedReason }) => {
      if (!outstanding.has(jobId)) return;
      // Also sent for an attempt that will be retried: only a job that is failed for good counts.
      void queue.getJobState(jobId).then(
        (state) => (state === 'failed' ? settle(jobId, { kind: 'failed', reason: failedReason }) : undefined),
        () => undefined,
      );
    });
    events.on('progress', ({ jobId, data }) => {
      if (!outstanding.has(jobId) || typeof data !== 'object' || data === null || !('tokensDone' in data)) return;
      const done = Number((data as { tokensDone: unknown }).tokensDone);
      if (Number.isFinite(done) && done >= 0) partial.set(jobId, Math.min(done, session.tokensOf(byJob.get(jobId) as PlannedItem)));
      progressed();
    });
    await events.waitUntilReady();
    await queue.waitUntilReady();
    await reconcile(true);
    if (enqueued > 0) note(`queued ${enqueued} image(s) on ${name} at ${redactQueueUrl(options.url)}`);
    if (enqueued < pending.length) note(`${pending.length - enqueued} image(s) were already in the queue (an earlier run's jobs)`);
    progressed();
    await checkWorkers();

    await new Promise<void>((resolve, reject) => {
      wake = () => (fatal ? reject(fatal) : outstanding.size === 0 ? resolve() : undefined);
      const onAbort = (): void => reject(new TesseraError('CANCELLED', `Stopped waiting. The queued images stay in Redis and the workers keep making them: run the same command again to collect them (they stay ${Math.round(options.keepSeconds / 3600)} h after they finish).`));
      if (options.signal?.aborted) onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      timers.push(setInterval(() => void reconcile(false).catch(onRedisError), RECONCILE_MS));
      timers.push(setInterval(() => void checkWorkers().catch(onRedisError), WORKERS_MS));
      wake();
    });
    await chain;
  } catch (error) {
    await chain.catch(() => undefined);
    await session.interrupted();
    throw error;
  } finally {
    for (const t of timers) clearInterval(t);
    await Promise.allSettled([events.close(), queue.close()]);
  }
  const workSeconds = (Date.now() - workStarted) / 1000;
  const contactSheet = await session.complete(options.contactSheet);
  return report({ made, failed, enqueued, collected, workSeconds, contactSheet });
}

/** The job of an item: named by a hash of its PNG's record, which fixes its bytes. */
export function jobIdOf(session: BatchSession, item: PlannedItem): string {
  const t = session.expected(item);
  return queueJobId(sha256Hex(`${t.parameters}\n${t.batch}\n${t.layout}`));
}

function jobData(session: BatchSession, item: PlannedItem): QueueJob {
  return {
    format: 'tessera-queue-job',
    version: 1,
    model: session.identity.model,
    backend: session.identity.backend,
    layoutName: item.layout,
    layout: session.expected(item).layout,
    settings: session.settingsFor(item.seed),
    index: item.index,
    file: item.file,
  };
}

function jobOptions(options: QueueBatchOptions, jobId: string): JobsOptions {
  return {
    jobId,
    attempts: options.attempts,
    backoff: { type: 'exponential', delay: options.backoffMs },
    removeOnComplete: { age: options.keepSeconds },
    removeOnFail: { age: options.keepSeconds },
  };
}

function parseOutcome(raw: unknown): Outcome {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      return { kind: 'failed', reason: 'BAD_REQUEST: a worker returned something that is not a Tessera result (not JSON).' };
    }
  }
  const parsed = QueueResultSchema.safeParse(value);
  if (!parsed.success) return { kind: 'failed', reason: `BAD_REQUEST: a worker returned something that is not a Tessera result (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''}). Are all workers this version of Tessera?` };
  return { kind: 'done', result: parsed.data };
}

function checkResult(session: BatchSession, item: PlannedItem, result: QueueResult): { ok: true; png: Uint8Array } | { ok: false; reason: string } {
  const png = fromBase64(result.png);
  if (!png) return { ok: false, reason: 'not base64' };
  const check = checkItemPng(png, session.expected(item));
  return check.ok ? { ok: true, png } : check;
}

/** The studio's gallery entry for a result from a worker. */
function toGenerationResult(session: BatchSession, item: PlannedItem, options: QueueBatchOptions, result: QueueResult, png: Uint8Array): GenerationResult | undefined {
  try {
    const rgb = decode(png).data;
    const layout = session.layoutOf(item);
    const rgba = new Uint8Array(layout.width * layout.height * 4);
    for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
      rgba[j] = rgb[i] as number;
      rgba[j + 1] = rgb[i + 1] as number;
      rgba[j + 2] = rgb[i + 2] as number;
      rgba[j + 3] = 255;
    }
    const tokens = fromBase64(result.tokens);
    const entropy = fromBase64(result.entropy);
    const n = result.grid.rows * result.grid.cols;
    if (!tokens || !entropy || tokens.length !== n * 2 || entropy.length !== n * 4) return undefined;
    return {
      jobId: options.jobId,
      image: { width: layout.width, height: layout.height, rgba },
      tokens: new Uint16Array(tokens.slice().buffer),
      entropy: new Float32Array(entropy.slice().buffer),
      grid: result.grid,
      settings: session.settingsFor(item.seed),
      modelId: options.manifest.id,
      backend: options.backend,
      seconds: result.seconds,
    };
  } catch (error) {
    options.onNote?.(`could not show ${item.file} in the gallery: ${toErrorPayload(error).message}`);
    return undefined;
  }
}
