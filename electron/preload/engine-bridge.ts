/**
 * The renderer's side of the engine connection, living in the preload: it owns the MessagePort
 * main hands over (the renderer's world never holds it), relays protocol messages both ways, and
 * makes an engine crash look like a protocol-level failure instead of silence:
 *  - every request still waiting for a reply gets an ENGINE_CRASHED error reply, and every job
 *    among them a `job.failed` event, the moment main reports the loss;
 *  - the first port after a restart produces an `engine.restarted` event (the renderer shows a
 *    notice; its document is untouched, nothing here reaches into it);
 *  - requests sent while no engine is connected wait in a bounded queue, or, once main has given
 *    up restarting, are answered with an error at once.
 * Pure logic over a PortLike, so it is unit-tested with a MessageChannel; index.ts wires Electron.
 */
import { RequestSchema, type EngineMessage } from '../../shared/protocol.ts';
import type { ErrorPayload } from '../../shared/errors.ts';
import type { EngineLostNotice, EnginePortNotice } from '../../shared/desktop-ipc.ts';

/** The part of a MessagePort the bridge uses (DOM MessagePort in the preload, Node's in tests). */
export interface PortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  start(): void;
  close(): void;
}

const JOB_REQUESTS = new Set(['job.generate', 'job.batch', 'job.inpaint', 'job.outpaint']);
export const MAX_QUEUED = 64;

interface InFlight {
  type: string;
  jobId?: string;
}

export interface EngineBridge {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): () => void;
  attachPort(port: PortLike, notice: EnginePortNotice): void;
  engineLost(notice: EngineLostNotice): void;
  /** Requests sent and not yet answered (for tests and diagnostics). */
  inFlightCount(): number;
}

function describe(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(message)'}: ${i.message}`).join('; ');
}

export function createEngineBridge(log: (line: string) => void = () => {}): EngineBridge {
  const listeners = new Set<(message: unknown) => void>();
  const inFlight = new Map<string, InFlight>();
  let port: PortLike | null = null;
  let queue: unknown[] = [];
  let deadReason: string | null = null;

  const emit = (message: unknown): void => {
    for (const listener of [...listeners]) {
      try {
        listener(message);
      } catch (error) {
        log(`[preload] engine listener threw: ${(error as Error).message}`);
      }
    }
  };

  const failReply = (id: string, error: ErrorPayload): void => emit({ type: 'reply', id, ok: false, error } satisfies EngineMessage);

  const failAllInFlight = (reason: string): void => {
    const error: ErrorPayload = { code: 'ENGINE_CRASHED', message: `The engine stopped: ${reason}` };
    for (const [id, request] of inFlight) {
      if (request.jobId !== undefined) emit({ type: 'job.failed', jobId: request.jobId, error } satisfies EngineMessage);
      failReply(id, error);
    }
    inFlight.clear();
  };

  /** Requests still queued never reached the dead engine: they stay, for the next one. */
  const failSentInFlight = (reason: string): void => {
    const queuedIds = new Set(queue.map((m) => (m as { id: string }).id));
    const kept = new Map<string, InFlight>();
    for (const id of queuedIds) {
      const entry = inFlight.get(id);
      if (entry !== undefined) kept.set(id, entry);
      inFlight.delete(id);
    }
    failAllInFlight(reason);
    for (const [id, entry] of kept) inFlight.set(id, entry);
  };

  const onPortMessage = (event: { data: unknown }): void => {
    const data = event.data;
    if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'reply') {
      const id = (data as { id?: unknown }).id;
      if (typeof id === 'string') inFlight.delete(id);
    }
    emit(data);
  };

  const send = (message: unknown): void => {
    const parsed = RequestSchema.safeParse(message);
    if (!parsed.success) {
      const id = (message as { id?: unknown } | null)?.id;
      const reason = describe(parsed.error);
      log(`[preload] refused an invalid engine request: ${reason}`);
      if (typeof id === 'string') failReply(id, { code: 'BAD_REQUEST', message: `Invalid request: ${reason}` });
      return;
    }
    const { id, type } = parsed.data;
    if (deadReason !== null) {
      failReply(id, { code: 'ENGINE_CRASHED', message: deadReason });
      return;
    }
    const jobId = JOB_REQUESTS.has(type) ? (parsed.data as { jobId: string }).jobId : undefined;
    inFlight.set(id, jobId === undefined ? { type } : { type, jobId });
    if (port === null) {
      if (queue.length >= MAX_QUEUED) {
        inFlight.delete(id);
        failReply(id, { code: 'ENGINE_CRASHED', message: 'The engine is not running yet; try again in a moment.' });
        return;
      }
      queue.push(message);
      return;
    }
    // The original message goes out (not zod's parsed copy): the engine host applies defaults itself.
    port.postMessage(message);
  };

  return {
    postMessage: send,
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    attachPort(next, notice) {
      port?.close();
      port = next;
      deadReason = null;
      next.addEventListener('message', onPortMessage);
      next.start();
      if (notice.restartReason !== undefined) {
        // Anything still marked in flight was sent to the dead engine (lost notice raced the port).
        failSentInFlight(notice.restartReason);
        emit({ type: 'engine.restarted', reason: notice.restartReason } satisfies EngineMessage);
      }
      const waiting = queue;
      queue = [];
      for (const message of waiting) next.postMessage(message);
    },
    engineLost(notice) {
      port?.close();
      port = null;
      failSentInFlight(notice.reason);
      if (!notice.willRestart) {
        deadReason = notice.reason;
        const waiting = queue;
        queue = [];
        for (const message of waiting) {
          const id = (message as { id: string }).id;
          inFlight.delete(id);
          failReply(id, { code: 'ENGINE_CRASHED', message: notice.reason });
        }
      }
    },
    inFlightCount: () => inFlight.size,
  };

}
