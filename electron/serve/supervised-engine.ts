/**
 * Serve mode's engine: a supervised child process (engine-child.ts) behind per-connection proxies.
 * Each WebSocket connection gets a host that numbers itself as a client of the child and relays
 * its requests; the child's replies and events are routed back by that number. A native abort or
 * an out-of-memory therefore ends only the child:
 *  - every request still pending on every connection gets an ENGINE_CRASHED reply, and every job
 *    started and not ended a job.failed event, at once (request-tracker.ts knows which);
 *  - shared/engine-supervisor.ts starts a new child after a backoff; when it is ready, every open
 *    connection gets `engine.restarted` (the page shows a notice; its document is untouched);
 *  - requests made while the child starts wait in a bounded queue, and are sent once it is ready;
 *  - a crash loop makes the supervisor give up: every connection's pending work fails with that
 *    message, every connection (and every later one) gets `engine.stopped` with it, and every
 *    later request is answered with it (restart serve mode).
 * Process creation and time are injected, so this routing is unit-tested with fake children.
 */
import { DEFAULT_SUPERVISOR_POLICY, EngineSupervisor, type SupervisorClock, type SupervisorPolicy } from '../../shared/engine-supervisor.ts';
import type { ErrorPayload } from '../../shared/errors.ts';
import { describeIssues } from '../../shared/manifest.ts';
import { RequestSchema, type EngineMessage } from '../../shared/protocol.ts';
import type { ChildToParent, ParentToChild } from '../host/child-protocol.ts';
import type { EngineChild } from './engine-child.ts';
import { RequestTracker } from './request-tracker.ts';

export interface SupervisedEngineOptions {
  /** Starts one engine child (engine-child.ts's spawnEngineChild in serve mode). */
  spawn(): EngineChild;
  log(line: string): void;
  policy?: SupervisorPolicy;
  clock?: SupervisorClock;
  /** Requests that may wait while the child starts (default 64); more are refused. */
  maxQueued?: number;
  /** How long close() lets the child stop by itself before SIGKILL (default 3000 ms). */
  stopGraceMs?: number;
}

/** A connection's view of the engine: the ServeHost of server.ts. */
export interface ConnectionHost {
  handle(message: unknown): void;
  dispose(): Promise<void>;
}

export interface SupervisedEngine {
  connect(send: (message: EngineMessage) => void): ConnectionHost;
  /** Cancels a job of a connection that went away (the child's engine is shared by all). */
  cancel(jobId: string): boolean;
  /** The running child's pid (tests kill it); undefined while it restarts. */
  pid(): number | undefined;
  state(): EngineSupervisor['state'];
  dispose(): Promise<void>;
}

export const SERVE_GIVE_UP_ADVICE = 'restart serve mode (npm run serve)';
const DEFAULT_MAX_QUEUED = 64;
const DEFAULT_STOP_GRACE_MS = 3000;

interface Client {
  send(message: EngineMessage): void;
  tracker: RequestTracker;
}

export function createSupervisedEngine(options: SupervisedEngineOptions): SupervisedEngine {
  const log = options.log;
  const maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
  const clients = new Map<number, Client>();
  let nextClient = 1;
  let child: EngineChild | null = null;
  let ready = false;
  /** Messages for a child that is not ready yet; open/close are not queued (ready sends every open). */
  let queue: Array<{ client: number; message: ParentToChild }> = [];
  let restartReason: string | undefined;
  /** Connections open when an engine died: they get `engine.restarted` (a page opened since saw no crash). */
  const witnesses = new Set<number>();
  /** Set once the supervisor gave up: the answer to every later request. */
  let deadReason: string | null = null;
  let disposed = false;

  const deliver = (client: number, message: ParentToChild): void => {
    if (ready && child) child.send(message);
    else queue.push({ client, message });
  };

  const onChildMessage = (from: EngineChild, message: ChildToParent): void => {
    if (from !== child) return; // a dead child's last words: its clients have been answered already
    if (message.type === 'ready') {
      ready = true;
      for (const id of clients.keys()) from.send({ type: 'client.opened', client: id });
      const waiting = queue;
      queue = [];
      for (const entry of waiting) from.send(entry.message);
      if (restartReason !== undefined) {
        const notice: EngineMessage = { type: 'engine.restarted', reason: restartReason };
        for (const id of witnesses) clients.get(id)?.send(notice);
        witnesses.clear();
        restartReason = undefined;
      }
      return;
    }
    const target = clients.get(message.client);
    if (!target) return; // the connection closed meanwhile
    target.tracker.received(message.message);
    target.send(message.message);
  };

  const failEverything = (error: ErrorPayload): void => {
    for (const c of clients.values()) for (const owed of c.tracker.failAll(error)) c.send(owed);
  };

  const supervisor = new EngineSupervisor(
    () => {
      const spawned = options.spawn();
      spawned.onMessage((message) => onChildMessage(spawned, message));
      child = spawned;
      ready = false;
      return spawned;
    },
    {
      started(handle, generation, reason) {
        restartReason = reason;
        log(`serve: engine process started (pid ${handle.pid ?? '?'}${generation > 0 ? `, restart ${generation}` : ''})`);
      },
      lost(reason, willRestart) {
        child = null;
        ready = false;
        // Queued requests are tracked too, so they are answered below; they must not reach the next child.
        queue = [];
        const message = willRestart ? `${reason} Serve mode is restarting the engine; run it again in a moment.` : reason;
        log(`serve: ${message}`);
        if (!willRestart) deadReason = message;
        for (const id of clients.keys()) witnesses.add(id);
        failEverything({ code: 'ENGINE_CRASHED', message });
        if (!willRestart) for (const c of clients.values()) c.send({ type: 'engine.stopped', reason: message });
      },
    },
    { ...(options.policy ?? DEFAULT_SUPERVISOR_POLICY), giveUpAdvice: SERVE_GIVE_UP_ADVICE },
    options.clock,
  );
  supervisor.start();

  return {
    connect(send) {
      const id = nextClient++;
      const tracker = new RequestTracker();
      clients.set(id, { send, tracker });
      if (ready && child) child.send({ type: 'client.opened', client: id });
      if (deadReason !== null) send({ type: 'engine.stopped', reason: deadReason });
      const refuse = (requestId: string, error: ErrorPayload): void => send({ type: 'reply', id: requestId, ok: false, error });
      return {
        handle(message) {
          const parsed = RequestSchema.safeParse(message);
          if (!parsed.success) {
            const requestId = typeof message === 'object' && message !== null && 'id' in message && typeof message.id === 'string' ? message.id : null;
            if (requestId !== null) refuse(requestId, { code: 'BAD_REQUEST', message: `Not a valid request: ${describeIssues(parsed.error)}` });
            return;
          }
          const request = parsed.data;
          if (disposed) return refuse(request.id, { code: 'ENGINE_CRASHED', message: 'Serve mode is shutting down.' });
          if (deadReason !== null) return refuse(request.id, { code: 'ENGINE_CRASHED', message: deadReason });
          if (!ready && queue.length >= maxQueued) {
            return refuse(request.id, { code: 'ENGINE_CRASHED', message: `The engine is starting and ${queue.length} requests are already waiting for it; try again in a moment.` });
          }
          tracker.sent(request);
          deliver(id, { type: 'client.message', client: id, message: request });
        },
        async dispose() {
          if (!clients.delete(id)) return;
          witnesses.delete(id);
          queue = queue.filter((entry) => entry.client !== id);
          if (ready && child) child.send({ type: 'client.closed', client: id });
        },
      };
    },
    cancel(jobId) {
      if (!ready || !child) return false; // no child: the job died with the last one
      child.send({ type: 'engine.cancelJob', jobId });
      return true;
    },
    pid: () => child?.pid,
    state: () => supervisor.state,
    async dispose() {
      if (disposed) return;
      disposed = true;
      const last = child;
      supervisor.stop();
      if (!last) return;
      const grace = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const gone = await Promise.race([last.exited.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), grace)))]);
      clearTimeout(timer);
      if (!gone) {
        // A job keeps the child's SIGTERM handler waiting; nothing in it needs saving.
        last.forceKill();
        await last.exited;
      }
    },
  };
}
