/**
 * `tessera worker`: a BullMQ worker on the queue of the model it has loaded (shared/queue-target.ts
 * queueName), making one image per job on its own engine and returning the PNG (with the tEXt a
 * local batch writes), its tokens and entropy. It never touches the batch folder: the producer
 * checks and writes what comes back.
 *
 * With --concurrency N it holds up to N jobs and samples those of one layout and settings together
 * in one forward (as the local batch's groups do; each image keeps its own PRNG, so its bytes do not
 * depend on its group). Jobs whose model or backend is not this worker's are refused, not made.
 * Shutdown: close() finishes the jobs in hand; handBack() cancels them and puts them back in the
 * queue for another worker (no attempt is spent). A worker killed outright loses its locks, and
 * BullMQ's stalled-job check on the other workers moves its jobs back after lockDuration.
 */
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { TesseraError, toErrorPayload, type ErrorCode, type ErrorPayload } from '../../shared/errors.ts';
import type { LabelMap } from '../../shared/labelmap.ts';
import { pngLimits } from '../../shared/png-guard.ts';
import type { ActiveBackend, Backend, EngineEvent, GenerationResult } from '../../shared/protocol.ts';
import { formatQueueFailure, QueueJobSchema, type QueueJob, type QueueResult } from '../../shared/queue.ts';
import { QUEUE_PREFIX, queueName, redactQueueUrl } from '../../shared/queue-target.ts';
import { encodeItemPng, expectedText, LAYOUT_KEY, modelIdentity, readEmbeddedLayout, type ModelIdentity } from '../../engine/batch/index.ts';
import { toBase64 } from '../../engine/batch/digest.ts';
import type { Engine } from '../../engine/engine.ts';
import { probeRedis, redisOptions } from './connection.ts';

/** What a worker reports (the CLI prints these; tests read them as JSON lines). */
export type WorkerEvent =
  | { type: 'worker.ready'; name: string; queue: string; model: ModelIdentity; backend: ActiveBackend; concurrency: number }
  | { type: 'worker.jobStarted'; name: string; jobId: string; index: number; file: string; attempt: number }
  | { type: 'worker.jobCompleted'; name: string; jobId: string; index: number; file: string; seconds: number }
  | { type: 'worker.jobFailed'; name: string; jobId: string; error: ErrorPayload; willRetry: boolean }
  | { type: 'worker.jobHandedBack'; name: string; jobId: string }
  | { type: 'worker.note'; name: string; message: string };

export interface QueueWorkerOptions {
  url: string;
  engine: Engine;
  /** Model id or bundle path. */
  model: string;
  backend: Backend;
  /** Jobs held at once (sampled together when they share a layout and settings). */
  concurrency: number;
  /** Shown in `getWorkers()` and the studio: letters, digits, '.', '_' and '-'. */
  name: string;
  /** How long a job's lock lives without renewal; a killed worker's jobs return after about this long. */
  lockDurationMs: number;
  /** A job that stalls more often than this fails (BullMQ's maxStalledCount). */
  maxStalledCount: number;
  onEvent: (event: WorkerEvent) => void;
}

export interface QueueWorkerHandle {
  queue: string;
  model: ModelIdentity;
  backend: ActiveBackend;
  /** Stops taking jobs and finishes those in hand. */
  close(): Promise<void>;
  /** Stops taking jobs, cancels those in hand and puts them back in the queue. */
  handBack(): Promise<void>;
  /** Resolves when the worker has closed (after close, handBack, or a fatal error). */
  closed: Promise<void>;
}

/**
 * Errors that the same job would meet again on any worker: no retry. BAD_CANVAS_SIZE is not one:
 * the producer has checked the size against the model, so here it is this worker's --max-size,
 * and another worker may allow more.
 */
const FINAL_CODES: ReadonlySet<ErrorCode> = new Set(['BAD_REQUEST', 'BAD_INPUT', 'UNKNOWN_COLOURS', 'NOTHING_TO_DO', 'MODEL_HASH_MISMATCH', 'NUMERIC_ERROR']);

interface Held {
  job: QueueJob;
  layout: LabelMap;
  key: string;
  resolve(result: GenerationResult): void;
  reject(error: unknown): void;
  progress(tokensDone: number, tokensTotal: number): void;
}

export function safeWorkerName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 100) || 'worker';
}

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  const name = safeWorkerName(options.name);
  const note = (message: string): void => options.onEvent({ type: 'worker.note', name, message });
  for (const warning of await probeRedis(options.url)) note(warning);
  // Loading verifies every file against the manifest's sha256: the identity below is of these files.
  const model = await options.engine.model(options.model, options.backend);
  const identity = modelIdentity(model.manifest);
  const backend = model.runtime.backend;
  const queue = queueName(identity.hash, backend);

  const held: Held[] = [];
  let pumping = false;
  let engineJobs = 0;
  const running = new Set<string>();

  /** Runs what is held, one engine job per group of the same layout and settings. */
  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    try {
      // Let the other jobs BullMQ is fetching for free slots arrive first, so they can join the group.
      await new Promise((r) => setTimeout(r, 20));
      while (held.length > 0) {
        const key = (held[0] as Held).key;
        const group = held.filter((h) => h.key === key).slice(0, options.concurrency);
        for (const h of group) held.splice(held.indexOf(h), 1);
        const first = group[0] as Held;
        const jobId = `queue-${process.pid}-${++engineJobs}`;
        running.add(jobId);
        const onEngineEvent = (event: EngineEvent): void => {
          if (event.type === 'job.progressed' && event.item === undefined) for (const h of group) h.progress(event.tokensDone, event.tokensTotal);
        };
        try {
          const outcome = await options.engine.generateWithStats(
            { jobId, model: options.model, layout: first.layout, settings: { ...first.job.settings, decodedPreviews: false }, seeds: group.map((h) => h.job.settings.seed) },
            onEngineEvent,
          );
          group.forEach((h, k) => h.resolve(outcome.results[k] as GenerationResult));
        } catch (error) {
          for (const h of group) h.reject(error);
        } finally {
          running.delete(jobId);
        }
      }
    } finally {
      pumping = false;
    }
  };

  let handingBack = false;
  const refuse = (code: ErrorCode, message: string): never => {
    throw new UnrecoverableError(formatQueueFailure({ code, message }));
  };

  const processor = async (job: Job, token?: string): Promise<QueueResult> => {
    const parsed = QueueJobSchema.safeParse(job.data);
    if (!parsed.success) return refuse('BAD_REQUEST', `Job ${job.id ?? '?'} is not a Tessera image job (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''}).`);
    const data = parsed.data;
    if (data.model.hash !== identity.hash || data.backend !== backend) {
      return refuse(
        'MODEL_HASH_MISMATCH',
        `Worker ${name} has ${identity.id} ${identity.version} (hash ${identity.hash.slice(0, 12)}) on ${backend}; job ${job.id ?? '?'} asks for ${data.model.id} ${data.model.version} (hash ${data.model.hash.slice(0, 12)}) on ${data.backend}. Start workers with the same model files: npm run cli -- worker --queue URL --model ${data.model.id} --backend ${data.backend}.`,
      );
    }
    let layout: LabelMap | null;
    try {
      layout = readEmbeddedLayout({ [LAYOUT_KEY]: data.layout }, pngLimits(`the layout of job ${job.id ?? '?'}`));
    } catch (error) {
      return refuse('BAD_REQUEST', toErrorPayload(error).message);
    }
    if (!layout) return refuse('BAD_REQUEST', `Job ${job.id ?? '?'} carries no usable layout.`);
    const started = Date.now();
    options.onEvent({ type: 'worker.jobStarted', name, jobId: job.id ?? '', index: data.index, file: data.file, attempt: job.attemptsMade + 1 });
    let lastProgress = 0;
    let result: GenerationResult;
    try {
      result = await new Promise<GenerationResult>((resolve, reject) => {
        const { settings } = data;
        held.push({
          job: data,
          layout: layout as LabelMap,
          key: `${data.layout}|${settings.temperature}|${settings.topK}|${settings.topP}|${settings.sampler}|${settings.stride}`,
          resolve,
          reject,
          progress: (tokensDone, tokensTotal) => {
            if (Date.now() - lastProgress < 1000) return;
            lastProgress = Date.now();
            void job.updateProgress({ tokensDone, tokensTotal }).catch(() => undefined);
          },
        });
        void pump();
      });
    } catch (error) {
      const payload = toErrorPayload(error);
      if (payload.code === 'CANCELLED' && handingBack) {
        // Back to the queue, without spending an attempt: another worker makes it.
        await job.moveToWait(token);
        options.onEvent({ type: 'worker.jobHandedBack', name, jobId: job.id ?? '' });
        throw new WaitingError();
      }
      const final = FINAL_CODES.has(payload.code);
      options.onEvent({ type: 'worker.jobFailed', name, jobId: job.id ?? '', error: payload, willRetry: !final && job.attemptsMade + 1 < (job.opts.attempts ?? 1) });
      throw final ? new UnrecoverableError(formatQueueFailure(payload)) : new Error(formatQueueFailure(payload));
    }
    const png = encodeItemPng(result.image, expectedText({ model: identity, backend, layoutName: data.layoutName, layout, settings: data.settings }));
    const seconds = (Date.now() - started) / 1000;
    options.onEvent({ type: 'worker.jobCompleted', name, jobId: job.id ?? '', index: data.index, file: data.file, seconds });
    return {
      format: 'tessera-queue-result',
      version: 1,
      png: toBase64(png),
      tokens: toBase64(new Uint8Array(result.tokens.buffer, result.tokens.byteOffset, result.tokens.byteLength)),
      entropy: toBase64(new Uint8Array(result.entropy.buffer, result.entropy.byteOffset, result.entropy.byteLength)),
      grid: result.grid,
      worker: name,
      seconds,
    };
  };

  const worker = new Worker<unknown, QueueResult>(queue, processor, {
    connection: { ...redisOptions(options.url), maxRetriesPerRequest: null },
    prefix: QUEUE_PREFIX,
    name,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.lockDurationMs,
    maxStalledCount: options.maxStalledCount,
    autorun: false,
  });
  let lastError = '';
  worker.on('error', (error) => {
    // BullMQ reconnects by itself; say so once per distinct problem instead of once per retry.
    if (error.message !== lastError) note(`Redis at ${redactQueueUrl(options.url)}: ${error.message} (reconnecting)`);
    lastError = error.message;
  });
  const closed = worker.run().then(() => undefined);
  await worker.waitUntilReady();
  options.onEvent({ type: 'worker.ready', name, queue, model: identity, backend, concurrency: options.concurrency });

  return {
    queue,
    model: identity,
    backend,
    closed,
    async close() {
      // With no job in hand there is nothing to wait for (and Redis may be gone: a graceful close would wait for it).
      await worker.close(held.length === 0 && running.size === 0);
      await closed;
    },
    async handBack() {
      handingBack = true;
      const closing = worker.close();
      for (const h of held.splice(0)) h.reject(new TesseraError('CANCELLED', 'The worker is shutting down.'));
      for (const jobId of running) options.engine.cancel(jobId);
      await closing;
      await closed;
    },
  };
}
