/**
 * THE typed client for the engine: the only way the renderer talks to it, over any Transport
 * (Electron preload port or serve-mode WebSocket). `request` returns the validated reply value
 * for its type; `onEvent` delivers validated events. Aborting a job request's signal also asks
 * the engine to cancel that job.
 */
import type { ErrorPayload } from '../../../shared/errors.ts';
import { TesseraError } from '../../../shared/errors.ts';
import type { EngineEvent, ReplyValues, RequestInput, RequestType } from '../../../shared/protocol.ts';
import type { Transport, Unsubscribe } from './transport.ts';
import { Listeners } from './transport.ts';
import { classifyIncoming, parseReplyValue } from './validate.ts';

/** A request's fields minus the envelope the client fills in. */
export type RequestPayload<T extends RequestType> = Omit<Extract<RequestInput, { type: T }>, 'type' | 'id'>;

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface EngineClient {
  request<T extends RequestType>(type: T, payload: RequestPayload<T>, options?: RequestOptions): Promise<ReplyValues[T]>;
  onEvent(listener: (event: EngineEvent) => void): Unsubscribe;
  /** Messages that failed validation (logged by the app, counted by tests). */
  onProtocolError(listener: (problem: string) => void): Unsubscribe;
  onConnection(listener: (state: 'open' | 'closed', reason?: string) => void): Unsubscribe;
  close(): void;
}

interface Pending {
  type: RequestType;
  resolve(value: unknown): void;
  reject(error: TesseraError): void;
  cleanup(): void;
}

let counter = 0;
function nextId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `r${Date.now().toString(36)}-${counter}`;
}

export function createEngineClient(transport: Transport): EngineClient {
  const pending = new Map<string, Pending>();
  const events = new Listeners<EngineEvent>();
  const problems = new Listeners<string>();
  const connection = new Listeners<{ state: 'open' | 'closed'; reason?: string }>();

  const offMessage = transport.onMessage((message) => {
    const incoming = classifyIncoming(message);
    if (incoming.kind === 'event') {
      events.emit(incoming.event);
      return;
    }
    if (incoming.kind === 'invalid') {
      problems.emit(incoming.problem);
      const p = incoming.id === null ? undefined : pending.get(incoming.id);
      if (p && incoming.id !== null) {
        pending.delete(incoming.id);
        p.cleanup();
        p.reject(new TesseraError('INTERNAL', `The engine sent a reply the studio cannot read (${incoming.problem}).`));
      }
      return;
    }
    const { reply } = incoming;
    const p = pending.get(reply.id);
    if (!p) return; // a reply to a request already given up on (aborted)
    pending.delete(reply.id);
    p.cleanup();
    if (!reply.ok) {
      p.reject(TesseraError.fromPayload(reply.error as ErrorPayload));
      return;
    }
    const value = parseReplyValue(p.type, reply.value);
    if (value.ok) p.resolve(value.value);
    else {
      problems.emit(value.problem);
      p.reject(new TesseraError('INTERNAL', `The engine sent a reply the studio cannot read (${value.problem}).`));
    }
  });

  const offStatus = transport.onStatus((status) => {
    if (status.state === 'open') {
      connection.emit({ state: 'open' });
      return;
    }
    // Requests in flight will never be answered on this connection.
    for (const [id, p] of pending) {
      pending.delete(id);
      p.cleanup();
      p.reject(new TesseraError('ENGINE_CRASHED', `Lost the connection to the engine (${status.reason}).`));
    }
    connection.emit({ state: 'closed', reason: status.reason });
  });

  return {
    request<T extends RequestType>(type: T, payload: RequestPayload<T>, options?: RequestOptions): Promise<ReplyValues[T]> {
      const id = nextId();
      const signal = options?.signal;
      return new Promise<ReplyValues[T]>((resolve, reject) => {
        if (signal?.aborted) {
          reject(new TesseraError('CANCELLED', 'Cancelled before it started.'));
          return;
        }
        const onAbort = (): void => {
          if (!pending.delete(id)) return;
          reject(new TesseraError('CANCELLED', 'Cancelled.'));
          const jobId = (payload as { jobId?: unknown }).jobId;
          if (type !== 'job.cancel' && typeof jobId === 'string') transport.send({ type: 'job.cancel', id: nextId(), jobId });
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        pending.set(id, {
          type,
          resolve: resolve as (value: unknown) => void,
          reject,
          cleanup: () => signal?.removeEventListener('abort', onAbort),
        });
        try {
          transport.send({ ...payload, type, id });
        } catch (error) {
          pending.delete(id);
          reject(new TesseraError('ENGINE_CRASHED', `Could not reach the engine (${error instanceof Error ? error.message : String(error)}).`));
        }
      });
    },
    onEvent: (listener) => events.add(listener),
    onProtocolError: (listener) => problems.add(listener),
    onConnection: (listener) => connection.add(({ state, reason }) => listener(state, reason)),
    close() {
      offMessage();
      offStatus();
      transport.close();
    },
  };
}
