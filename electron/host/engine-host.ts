/**
 * The engine host: the protocol dispatcher shared by the Electron utilityProcess, the CLI and
 * serve mode. Every incoming message is parsed with shared/protocol.ts; every outgoing reply and
 * event is checked against it too, so a bug shows up as an INTERNAL error instead of a message the
 * studio cannot read.
 */
import type { z } from 'zod';
import { toErrorPayload, type ErrorPayload } from '../../shared/errors.ts';
import { describeIssues } from '../../shared/manifest.ts';
import { EventSchema, ReplyValueSchemas, RequestSchema, type Backend, type EngineEvent, type EngineMessage, type Request, type RequestType } from '../../shared/protocol.ts';
import type { Engine } from '../../engine/engine.ts';
import type { Logger } from '../../engine/logger.ts';
import { createNodeEngine, stderrLogger } from '../../engine/node/create-node-engine.ts';
import { extraHandlers } from './extra-handlers.ts';
import { builtinHandlers, type Handler, type HandlerContext, type HandlerTable } from './handlers.ts';

export interface EngineHostOptions {
  send(message: EngineMessage): void;
  /** User model folders (besides the embedded ones and TESSERA_MODELS_DIR). */
  modelDirs?: string[];
  /** Backend for models loaded implicitly by a job (model.load names its own). */
  backend?: Backend;
  /** A shared engine (several clients, one job queue); the host then does not dispose it. */
  engine?: Engine;
  logger?: Logger;
  /** Handlers overriding the built-in and extra ones (tests, serve mode). */
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

export function createEngineHost(options: EngineHostOptions): EngineHost {
  const logger = options.logger ?? stderrLogger();
  const ownsEngine = options.engine === undefined;
  const engine = options.engine ?? createNodeEngine({ modelDirs: options.modelDirs ?? [], backend: options.backend ?? 'auto', logger });
  const table: HandlerTable = { ...builtinHandlers, ...extraHandlers, ...options.handlers } as HandlerTable;
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
    const ctx: HandlerContext = { engine, emit, logger };
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
      if (ownsEngine) await engine.dispose();
      await Promise.allSettled([...pending]);
    },
  };
}
