/**
 * The plug-in point for request handlers that live outside the dispatcher (job.batch,
 * job.inpaint): add `'job.batch': handleBatch` here and the host uses it instead of the
 * "not available yet" reply. Handlers get the shared engine (Engine.runJob gives them the job
 * queue, cancellation and the finished/failed events) and an `emit` for their events.
 */
import { runBatchJob } from '../engine/batch/index.ts';
import { runInpaintJob } from '../engine/inpaint/index.ts';
import { nodeBatchFs } from '../engine/node/batch-fs.ts';
import type { HandlerTable } from './handlers.ts';

export const extraHandlers: Partial<HandlerTable> = {
  // Images stream back as job.itemFinished; with outDir they are also written there (resumable).
  'job.batch': async (request, { engine, emit, logger }) =>
    (await runBatchJob(engine, { ...request, fs: request.outDir === undefined ? null : nodeBatchFs, onNote: (n) => logger.info(`batch ${request.jobId}: ${n}`) }, emit)).summary,
  'job.inpaint': async (request, { engine, emit, logger }) =>
    (await runInpaintJob(engine, request, emit, (n) => logger.info(`inpaint ${request.jobId}: ${n}`))).result,
};
