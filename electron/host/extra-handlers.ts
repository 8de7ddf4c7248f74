/**
 * The plug-in point for request handlers that live outside the dispatcher (job.batch,
 * job.inpaint): add `'job.batch': handleBatch` here and the host uses it instead of the
 * "not available yet" reply. Handlers get the shared engine (Engine.runJob gives them the job
 * queue, cancellation and the finished/failed events) and an `emit` for their events.
 */
import { runBatchJob } from '../../engine/batch/index.ts';
import { runInpaintJob } from '../../engine/inpaint/index.ts';
import { nodeBatchFs } from '../../engine/node/batch-fs.ts';
import { cancelHostQueueBatch, hostQueueStatus, runHostQueueBatch } from '../queue/host-handlers.ts';
import type { HandlerTable } from './handlers.ts';

export const extraHandlers: Partial<HandlerTable> = {
  // Images stream back as job.itemFinished; with outDir they are also written there (resumable).
  // With `queue`, workers on a Redis queue make them (electron/queue/, docs/DISTRIBUTED.md).
  'job.batch': async (request, { engine, emit, logger }) => {
    const { queue, ...local } = request;
    if (queue) return runHostQueueBatch({ ...request, queue }, engine, emit, logger);
    return (await runBatchJob(engine, { ...local, fs: local.outDir === undefined ? null : nodeBatchFs, onNote: (n) => logger.info(`batch ${request.jobId}: ${n}`) }, emit)).summary;
  },
  'job.cancel': async (request, { engine }) => ({ cancelled: cancelHostQueueBatch(request.jobId) || engine.cancel(request.jobId) }),
  'queue.status': async (request, { engine }) => hostQueueStatus(request, engine),
  'job.inpaint': async (request, { engine, emit, logger }) =>
    (await runInpaintJob(engine, request, emit, (n) => logger.info(`inpaint ${request.jobId}: ${n}`))).result,
};
