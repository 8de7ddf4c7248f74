/**
 * What the Node hosts add to the engine core's handlers (engine/host/handlers.ts, where every
 * request type is registered): batches on a Redis queue (electron/queue/, docs/DISTRIBUTED.md),
 * which need Node's sockets. Everything else is the core's.
 */
import type { HandlerTable } from '../../engine/host/handlers.ts';
import { engineHandlers } from '../../engine/host/handlers.ts';
import { cancelHostQueueBatch, hostQueueStatus, runHostQueueBatch } from '../queue/host-handlers.ts';

export const nodeHandlers: Partial<HandlerTable> = {
  // With `queue`, workers on a Redis queue make the images; without it the core runs the batch.
  'job.batch': async (request, ctx) => {
    const { queue } = request;
    if (queue) return runHostQueueBatch({ ...request, queue }, ctx.engine, ctx.emit, ctx.logger);
    return engineHandlers['job.batch'](request, ctx);
  },
  'job.cancel': async (request, { engine }) => ({ cancelled: cancelHostQueueBatch(request.jobId) || engine.cancel(request.jobId) }),
  'queue.status': async (request, { engine }) => hostQueueStatus(request, engine),
};
