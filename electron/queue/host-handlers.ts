/**
 * The engine host's side of distributed batches (the studio's Batch panel with a queue set):
 * `job.batch` with `queue` runs the batch through Redis instead of this engine (the results come
 * back as job.itemFinished with their GenerationResult, for the gallery), `job.cancel` stops
 * waiting for one, and `queue.status` lists the workers of the studio model's queue. The engine
 * stays free for the studio's own Generate while the workers make the batch.
 */
import { TesseraError, toErrorPayload } from '../../shared/errors.ts';
import type { Request } from '../../shared/protocol.ts';
import type { QueueStatus } from '../../shared/queue-target.ts';
import type { BatchRunReport } from '../../engine/batch/index.ts';
import type { Engine, EventSink } from '../../engine/engine.ts';
import type { Logger } from '../../engine/logger.ts';
import { nodeBatchFs } from '../../engine/node/batch-fs.ts';
import { runQueueBatch } from './queue-batch.ts';
import { queueStatus } from './queue-status.ts';

/** Queue batches running in this host, by job id (job.cancel stops waiting for them). */
const running = new Map<string, AbortController>();

type BatchRequest = Extract<Request, { type: 'job.batch' }>;

export async function runHostQueueBatch(request: BatchRequest & { queue: NonNullable<BatchRequest['queue']> }, engine: Engine, emit: EventSink, logger: Logger): Promise<BatchRunReport['summary']> {
  if (request.outDir === undefined) throw new TesseraError('BAD_REQUEST', 'A batch on a queue needs an output folder: the images are written there as the workers send them.');
  if (running.has(request.jobId)) throw new TesseraError('BAD_REQUEST', `A job with id "${request.jobId}" is already running.`);
  const abort = new AbortController();
  running.set(request.jobId, abort);
  try {
    const model = await engine.model(request.model);
    const report = await runQueueBatch(
      {
        jobId: request.jobId,
        url: request.queue.url,
        manifest: model.manifest,
        backend: request.queue.backend,
        layouts: request.layouts,
        seeds: request.seeds,
        settings: request.settings,
        outDir: request.outDir,
        fs: nodeBatchFs,
        force: request.force === true,
        attempts: 3,
        backoffMs: 2000,
        keepSeconds: 7 * 24 * 3600,
        contactSheet: true,
        results: true,
        signal: abort.signal,
        onNote: (n) => logger.info(`queue batch ${request.jobId}: ${n}`),
      },
      emit,
    );
    emit({ type: 'job.finished', jobId: request.jobId });
    return report.summary;
  } catch (error) {
    emit({ type: 'job.failed', jobId: request.jobId, error: toErrorPayload(error) });
    throw error;
  } finally {
    running.delete(request.jobId);
  }
}

/** Stops waiting for a queue batch (its queued images stay in Redis for a rerun); false when it is not one. */
export function cancelHostQueueBatch(jobId: string): boolean {
  const abort = running.get(jobId);
  abort?.abort();
  return abort !== undefined;
}

export async function hostQueueStatus(request: Extract<Request, { type: 'queue.status' }>, engine: Engine): Promise<QueueStatus> {
  const model = await engine.model(request.model);
  return queueStatus(request.url, model.manifest, request.backend);
}
