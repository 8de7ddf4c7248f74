/**
 * The engine host: the protocol dispatcher every host shares (the Electron utilityProcess, serve
 * mode's child, the page's Worker, tests). Pure: it gets an engine and a `send`, and knows nothing
 * of how messages travel. Every incoming message is parsed with shared/protocol.ts; every outgoing
 * reply and event is checked against it too, so a bug shows up as an INTERNAL error instead of a
 * message the studio cannot read.
 */
import type { z } from 'zod';
import { toErrorPayload, type ErrorPayload } from '../../shared/errors.ts';
import { describeIssues } from '../../shared/manifest.ts';
import { EventSchema, ReplyValueSchemas, RequestSchema, type EngineEvent, type EngineMessage, type Request, type RequestType } from '../../shared/protocol.ts';
import type { BatchFs } from '../batch/batch-fs.ts';
import type { Engine } from '../engine.ts';
import { SILENT_LOGGER, type Logger } from '../logger.ts';
import { engineHandlers, type Handler, type HandlerContext, type HandlerTable } from './handlers.ts';

export interface CoreEngineHostOptions {
  send(message: EngineMessage): void;
  engine: Engine;
  /** Dispose the engine with the host (a host that created it); default false (a shared engine). */
  ownsEngine?: boolean;
  logger?: Logger;
  /** Where job.batch writes an `outDir` (null: batches without outDir only). */
  batchFs?: BatchFs | null;
  /** Handlers overriding engineHandlers (a host's extra powers, tests). */
  handlers?: Partial<HandlerTable>;
}

export interface EngineHost {
  handle(message: unknown): void;
  dispose(): Promise<void>;
  readonly engine: Engine;
}

function readId(message: unknown): string | null {
  if (typeof message !== 'object' || message === null || !('id' in message)) return null;
  const id = (message as { id: unknown }).id;
  return typeof id === 'string' && id.length >= 1 && id.length <= 128 ? id : null;
}

export function createCoreEngineHost(options: CoreEngineHostOptions): EngineHost {
  const logger = options.logger ?? SILENT_LOGGER;
  const engine = options.engine;
  const table: HandlerTable = { ...engineHandlers, ...options.handlers } as HandlerTable;
  const batchFs = options.batchFs ?? null;
  const pending = new Set<Promise<void>>();
  let disposed = false;

  const sendChecked = (message: EngineMessage): void => {
    try {
      options.send(message);
    } catch (error) {
      logger.error(`could not send a ${message.type} message: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const emit = (event: EngineEvent): void => {
    const checked = EventSchema.safeParse(event);
    if (!checked.success) {
      logger.error(`dropped an invalid ${event.type} event: ${describeIssues(checked.error)}`);
      return;
    }
    sendChecked(event);
  };

  const replyError = (id: string, error: ErrorPayload): void => sendChecked({ type: 'reply', id, ok: false, error });

  const replyValue = (request: Request, value: unknown): void => {
    const schema = ReplyValueSchemas[request.type] as z.ZodType;
    const checked = schema.safeParse(value);
    if (!checked.success) {
      replyError(request.id, { code: 'INTERNAL', message: `The engine produced an invalid ${request.type} reply: ${describeIssues(checked.error)}` });
      return;
    }
    sendChecked({ type: 'reply', id: request.id, ok: true, value: checked.data });
  };

  const dispatch = async (request: Request): Promise<void> => {
    const ctx: HandlerContext = { engine, emit, logger, batchFs };
    const handler = table[request.type] as Handler<RequestType> | undefined;
    if (!handler) {
      replyError(request.id, { code: 'INTERNAL', message: `No handler for ${request.type}.` });
      return;
    }
    try {
      const value = await handler(request as never, ctx);
      replyValue(request, value);
    } catch (error) {
      const payload = toErrorPayload(error);
      if (payload.code === 'INTERNAL') logger.error(`${request.type} ${request.id}: ${payload.message}`);
      replyError(request.id, payload);
    }
  };

  return {
    engine,
    handle(message: unknown): void {
      const parsed = RequestSchema.safeParse(message);
      if (!parsed.success) {
        const id = readId(message);
        const why = describeIssues(parsed.error);
        if (id === null) logger.warn(`ignored a message without a usable id: ${why}`);
        else replyError(id, { code: 'BAD_REQUEST', message: `Not a valid request: ${why}` });
        return;
      }
      if (disposed) {
        replyError(parsed.data.id, { code: 'ENGINE_CRASHED', message: 'The engine host is shutting down.' });
        return;
      }
      const running = dispatch(parsed.data);
      pending.add(running);
      void running.finally(() => pending.delete(running));
    },
    async dispose(): Promise<void> {
      disposed = true;
      if (options.ownsEngine) await engine.dispose();
      await Promise.allSettled([...pending]);
    },
  };
}
