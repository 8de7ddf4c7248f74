/**
 * The static build's transport: the engine runs in a module Worker of this page
 * (web/worker/engine-worker.ts, started by in-page-engine.ts) and messages travel by
 * postMessage inside shared/page-worker.ts's envelopes, parsed on arrival. The Worker is
 * supervised like the Node engine processes (shared/engine-supervisor.ts): if it dies (an
 * uncaught error, a WASM abort it reports as fatal), requests in flight fail, the studio gets an
 * engine-lost notice and then `engine.restarted`, and a fresh Worker takes over; the document is
 * the page's and is never touched. Batch output folders live in the Worker's browser storage
 * (IndexedDB; they outlive the Worker) or, when the browser gives none, in its memory: the Worker
 * says which once it has chosen (`batchStorage`), and lists, zips and deletes them on request.
 */
import { TesseraError } from '../../../shared/errors.ts';
import { describeIssues } from '../../../shared/manifest.ts';
import { DEFAULT_SUPERVISOR_POLICY, EngineSupervisor, type EngineHandle, type SupervisorPolicy } from '../../../shared/engine-supervisor.ts';
import { WorkerToPageSchema, type BatchStorage, type PageBackendOverride, type PageToWorker, type StoredBatchFolder } from '../../../shared/page-worker.ts';
import type { Transport } from './transport.ts';
import { Listeners } from './transport.ts';

/** The parts of a Worker used here (tests pass a fake). */
export interface WorkerLike {
  postMessage(message: PageToWorker): void;
  terminate(): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  onmessageerror: ((event: MessageEvent) => void) | null;
}

export interface WorkerTransportOptions {
  spawn(): WorkerLike;
  /** The static build's root URL (models/ and ort/ are under it). */
  baseUrl: string;
  forceBackend: PageBackendOverride | null;
  policy?: SupervisorPolicy;
}

export interface WorkerTransport extends Transport {
  /** A zip of a batch output folder the Worker keeps. */
  archive(folder: string): Promise<{ name: string; bytes: Uint8Array }>;
  /** The batch folders the Worker keeps, after deleting `remove` (and everything in it) when given. */
  batchFolders(remove: string | null): Promise<StoredBatchFolder[]>;
  /** The latest word from a Worker on where it keeps batch folders (null until one has said). */
  batchStorage(): BatchStorage | null;
  onBatchStorage(listener: (storage: BatchStorage) => void): () => void;
}

let archiveCounter = 0;

export function createWorkerTransport(options: WorkerTransportOptions): WorkerTransport {
  const messages = new Listeners<unknown>();
  const status = new Listeners<{ state: 'open' } | { state: 'closed'; reason: string }>();
  const archives = new Map<string, { resolve(v: { name: string; bytes: Uint8Array }): void; reject(e: Error): void }>();
  const folderCalls = new Map<string, { resolve(v: StoredBatchFolder[]): void; reject(e: Error): void }>();
  const storage = new Listeners<BatchStorage>();
  let lastStorage: BatchStorage | null = null;
  let worker: WorkerLike | null = null;
  let queued: PageToWorker[] = [];

  const failArchives = (reason: string): void => {
    for (const pending of [archives, folderCalls]) {
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(new TesseraError('ENGINE_CRASHED', `The in-page engine stopped (${reason}); try again once it has restarted.`));
      }
    }
  };

  const spawnHandle = (): EngineHandle => {
    const w = options.spawn();
    worker = w;
    let exitListener: ((reason: string) => void) | null = null;
    let exited = false;
    const exit = (reason: string): void => {
      if (exited) return;
      exited = true;
      w.terminate();
      exitListener?.(reason);
    };
    w.onerror = (event) => {
      event.preventDefault();
      exit(`The in-page engine crashed: ${event.message || 'an uncaught error in its Worker'}`);
    };
    w.onmessageerror = () => exit('The in-page engine sent a message the page could not read.');
    w.onmessage = (event) => {
      const parsed = WorkerToPageSchema.safeParse(event.data);
      if (!parsed.success) {
        console.warn(`[tessera] dropped a Worker message: ${describeIssues(parsed.error)}`);
        return;
      }
      const m = parsed.data;
      if (exited) return;
      if (m.kind === 'message') messages.emit(m.message);
      else if (m.kind === 'ready') return;
      else if (m.kind === 'fatal') exit(m.reason);
      else if (m.kind === 'storage') {
        lastStorage = { persistent: m.persistent, detail: m.detail };
        storage.emit(lastStorage);
      } else if (m.kind === 'folders') {
        const p = folderCalls.get(m.id);
        folderCalls.delete(m.id);
        if (!p) return;
        if (m.result.ok) p.resolve(m.result.folders);
        else p.reject(new TesseraError('IO_ERROR', m.result.message));
      } else {
        const p = archives.get(m.id);
        archives.delete(m.id);
        if (!p) return;
        if (m.result.ok) p.resolve({ name: m.result.name, bytes: m.result.bytes });
        else p.reject(new TesseraError('BAD_REQUEST', m.result.message));
      }
    };
    w.postMessage({ kind: 'init', baseUrl: options.baseUrl, forceBackend: options.forceBackend });
    return {
      pid: undefined,
      onExit: (listener) => (exitListener = listener),
      kill: () => {
        exited = true;
        w.terminate();
      },
    };
  };

  const supervisor = new EngineSupervisor(
    spawnHandle,
    {
      started(_handle, _generation, restartReason) {
        for (const m of queued.splice(0)) post(m);
        status.emit({ state: 'open' });
        if (restartReason !== undefined) messages.emit({ type: 'engine.restarted', reason: `${restartReason} A new in-page engine has started; your document is untouched.` });
      },
      lost(reason, willRestart) {
        worker = null;
        failArchives(reason);
        status.emit({ state: 'closed', reason });
        if (!willRestart) messages.emit({ type: 'engine.stopped', reason });
      },
    },
    options.policy ?? { ...DEFAULT_SUPERVISOR_POLICY, giveUpAdvice: 'reload the page' },
  );

  function post(message: PageToWorker): void {
    if (worker) worker.postMessage(message);
    else queued.push(message);
  }

  // After listeners are attached (the engine client subscribes synchronously after creation).
  queueMicrotask(() => supervisor.start());

  return {
    send: (message) => post({ kind: 'request', message }),
    onMessage: (l) => messages.add(l),
    onStatus: (l) => status.add(l),
    archive(folder) {
      const id = `a${++archiveCounter}`;
      return new Promise((resolve, reject) => {
        archives.set(id, { resolve, reject });
        post({ kind: 'archive', id, folder });
      });
    },
    batchFolders(remove) {
      const id = `f${++archiveCounter}`;
      return new Promise((resolve, reject) => {
        folderCalls.set(id, { resolve, reject });
        post({ kind: 'folders', id, remove });
      });
    },
    batchStorage: () => lastStorage,
    onBatchStorage: (l) => storage.add(l),
    close() {
      supervisor.stop();
      worker = null;
      queued = [];
    },
  };
}
