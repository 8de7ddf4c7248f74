/**
 * Request handlers by type. A handler gets the parsed request and returns the reply's value (or
 * throws a TesseraError); the dispatcher (engine-host.ts) does parsing, replies and errors.
 * job.batch and job.inpaint answer "not available yet" until their modules are plugged into
 * extra-handlers.ts.
 */
import { TesseraError } from '../../shared/errors.ts';
import type { Request, RequestType, ReplyValues } from '../../shared/protocol.ts';
import type { Engine, EventSink } from '../../engine/engine.ts';
import type { Logger } from '../../engine/logger.ts';

export interface HandlerContext {
  engine: Engine;
  /** Sends an event to the client that made the request. */
  emit: EventSink;
  logger: Logger;
}

export type Handler<K extends RequestType> = (request: Extract<Request, { type: K }>, ctx: HandlerContext) => Promise<ReplyValues[K]>;
export type HandlerTable = { [K in RequestType]: Handler<K> };

const notAvailable =
  (what: string) =>
  async (): Promise<never> => {
    throw new TesseraError('INTERNAL', `${what} is not available yet in this engine build.`);
  };

export const builtinHandlers: HandlerTable = {
  'models.list': async (_request, { engine }) => engine.listModels(),
  'model.load': async (request, { engine }) => engine.loadModel(request.model, request.backend),
  'model.verify': async (request, { engine }) => engine.verifyModel(request.model),
  'job.generate': async (request, { engine, emit }) => engine.generate({ jobId: request.jobId, model: request.model, layout: request.layout, settings: request.settings }, emit),
  'job.cancel': async (request, { engine }) => ({ cancelled: engine.cancel(request.jobId) }),
  'job.batch': notAvailable('Batch generation (job.batch)'),
  'job.inpaint': notAvailable('Inpainting (job.inpaint)'),
  'queue.status': notAvailable('Distributed batches (queue.status)'),
};
