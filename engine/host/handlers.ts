/**
 * Request handlers by type: THE place where a request type gets its handler, for every host (the
 * Electron utilityProcess, serve mode's child, the CLI's tests and the page's Worker). A handler
 * gets the parsed request and returns the reply's value (or throws a TesseraError); the
 * dispatcher (engine-host.ts) does parsing, replies and errors. Hosts that can do more than the
 * core pass overrides for a few types (the Node hosts: batches on a Redis queue,
 * electron/host/node-handlers.ts); they never register a type the core does not know.
 */
import { TesseraError } from '../../shared/errors.ts';
import type { Request, RequestType, ReplyValues } from '../../shared/protocol.ts';
import { runBatchJob } from '../batch/index.ts';
import type { BatchFs } from '../batch/batch-fs.ts';
import type { Engine, EventSink } from '../engine.ts';
import { runInpaintJob } from '../inpaint/index.ts';
import type { Logger } from '../logger.ts';
import { runOutpaintJob } from '../outpaint/index.ts';

export interface HandlerContext {
  engine: Engine;
  /** Sends an event to the client that made the request. */
  emit: EventSink;
  logger: Logger;
  /** Where `job.batch` writes when the request names an `outDir` (Node: the disk; the page: memory); null = nowhere. */
  batchFs: BatchFs | null;
}

export type Handler<K extends RequestType> = (request: Extract<Request, { type: K }>, ctx: HandlerContext) => Promise<ReplyValues[K]>;
export type HandlerTable = { [K in RequestType]: Handler<K> };

/** A handler for a request this host cannot serve, with the reason (`what` names the feature). */
export const notAvailable =
  (what: string) =>
  async (): Promise<never> => {
    throw new TesseraError('INTERNAL', `${what} is not available in this engine build.`);
  };

export const engineHandlers: HandlerTable = {
  'models.list': async (_request, { engine }) => engine.listModels(),
  'model.load': async (request, { engine }) => engine.loadModel(request.model, request.backend),
  'model.verify': async (request, { engine }) => engine.verifyModel(request.model),
  'job.generate': async (request, { engine, emit }) => engine.generate({ jobId: request.jobId, model: request.model, layout: request.layout, settings: request.settings }, emit),
  'job.cancel': async (request, { engine }) => ({ cancelled: engine.cancel(request.jobId) }),
  // Images stream back as job.itemFinished; with outDir they are also written there (resumable).
  'job.batch': async (request, { engine, emit, logger, batchFs }) => {
    if (request.queue) throw new TesseraError('BAD_REQUEST', 'Batches on a Redis queue need the desktop app or serve mode (`npm run serve`); this engine runs batches itself: clear the queue field.');
    if (request.outDir !== undefined && batchFs === null) throw new TesseraError('BAD_REQUEST', `This engine cannot write to a folder (${request.outDir}); send the batch without outDir and keep the images from job.itemFinished.`);
    const { queue: _queue, ...local } = request;
    return (await runBatchJob(engine, { ...local, fs: local.outDir === undefined ? null : batchFs, onNote: (n) => logger.info(`batch ${request.jobId}: ${n}`) }, emit)).summary;
  },
  'job.inpaint': async (request, { engine, emit, logger }) => (await runInpaintJob(engine, request, emit, (n) => logger.info(`inpaint ${request.jobId}: ${n}`))).result,
  'job.outpaint': async (request, { engine, emit, logger }) => {
    const o = await runOutpaintJob(engine, request, emit, (n) => logger.info(`outpaint ${request.jobId}: ${n}`));
    const { offset, image } = request;
    const summary = { offset, source: { width: image.width, height: image.height }, blend: request.options.blend, candidates: o.candidates, chosen: o.chosen, context: o.context, newTokens: o.newTokens, totalTokens: o.totalTokens };
    return { result: o.result, outpaint: summary };
  },
  'queue.status': async () => {
    throw new TesseraError('INTERNAL', 'Distributed batches (queue.status) are not available in this engine: they need the desktop app or serve mode (`npm run serve`), which can reach Redis.');
  },
};
