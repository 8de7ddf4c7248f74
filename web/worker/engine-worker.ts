/**
 * The static build's engine: a module Worker the studio page starts by URL
 * (renderer/src/bridge/worker-transport.ts). It runs the isomorphic engine core on onnxruntime-web
 * with the same dispatcher as the Node hosts (engine/host/engine-host.ts), models from the build's
 * own models/ folder (verified, cached), and batch output folders in the browser's IndexedDB
 * (web/batch/choose-batch-fs.ts: they survive a reload and a restart of this Worker; the Worker's
 * memory when the browser gives no storage, which the page is told in a `storage` envelope and
 * shows as a warning). Messages in both directions
 * are the envelopes of shared/page-worker.ts, parsed on arrival; requests inside them are parsed
 * again by the dispatcher. Sampling runs here, so the page's main thread only draws.
 */
import { describeIssues } from '../../shared/manifest.ts';
import { PageToWorkerSchema, type PageToWorker, type WorkerToPage } from '../../shared/page-worker.ts';
import type { EngineMessage } from '../../shared/protocol.ts';
import { createEngine } from '../../engine/engine.ts';
import { createCoreEngineHost, type EngineHost } from '../../engine/host/engine-host.ts';
import type { Logger } from '../../engine/logger.ts';
import { choosePageBatchFs } from '../batch/choose-batch-fs.ts';
import { zipFolder } from '../batch/zip-folder.ts';
import { createModelStore } from '../models/model-store.ts';
import { WebBundleCatalog } from '../models/web-bundle-catalog.ts';
import { createWebRuntimeFactory } from '../runtime/web-runtimes.ts';

const logger: Logger = {
  debug: () => undefined,
  info: (m) => console.info(`[tessera engine] ${m}`),
  warn: (m) => console.warn(`[tessera engine] ${m}`),
  error: (m) => console.error(`[tessera engine] ${m}`),
};

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, 4000);

function post(message: WorkerToPage, transfer: Transferable[] = []): void {
  self.postMessage(message, { transfer });
}

/**
 * Replies and events are copied (structured clone), not transferred: the engine may still hold a
 * typed array it sent (a preview's token grid), and a transfer would detach it under its feet.
 */
function sendEngineMessage(message: EngineMessage): void {
  post({ kind: 'message', message });
}

// Chosen (IndexedDB, else memory) as the Worker starts; calls made before wait for the choice.
const { fs: batchFs, storage } = choosePageBatchFs();
void storage.then((s) => {
  if (s.persistent) logger.info(s.detail);
  else logger.warn(s.detail);
  post({ kind: 'storage', persistent: s.persistent, detail: s.detail });
});
let host: EngineHost | null = null;
const early: unknown[] = [];

function start(init: Extract<PageToWorker, { kind: 'init' }>): void {
  if (host) return;
  const store = createModelStore(init.baseUrl);
  const catalog = new WebBundleCatalog(new URL('models/', init.baseUrl).href, store);
  const runtimes = createWebRuntimeFactory({ baseUrl: init.baseUrl, forceBackend: init.forceBackend, logger, readBytes: (url) => store.bytesOf(url) });
  const engine = createEngine({ catalog, runtimes, defaultBackend: 'auto', logger, clock: () => performance.now() });
  host = createCoreEngineHost({ send: sendEngineMessage, engine, ownsEngine: true, logger, batchFs });
  for (const message of early.splice(0)) host.handle(message);
  post({ kind: 'ready' });
}

self.onmessage = (event: MessageEvent<unknown>) => {
  const parsed = PageToWorkerSchema.safeParse(event.data);
  if (!parsed.success) {
    logger.warn(`ignored a message from the page that does not match shared/page-worker.ts: ${describeIssues(parsed.error)}`);
    return;
  }
  const message = parsed.data;
  switch (message.kind) {
    case 'init':
      start(message);
      return;
    case 'request':
      if (host) host.handle(message.message);
      else early.push(message.message);
      return;
    case 'archive':
      zipFolder(batchFs, message.folder).then(
        (zip) => post({ kind: 'archive', id: message.id, result: { ok: true, ...zip } }, [zip.bytes.buffer]),
        (error: unknown) => post({ kind: 'archive', id: message.id, result: { ok: false, message: errorText(error) } }),
      );
      return;
    case 'folders': {
      const { id, remove } = message;
      (remove === null ? Promise.resolve() : batchFs.removeFolder(remove))
        .then(() => batchFs.folders())
        .then(
          (folders) => post({ kind: 'folders', id, result: { ok: true, folders } }),
          (error: unknown) => post({ kind: 'folders', id, result: { ok: false, message: errorText(error) } }),
        );
      return;
    }
  }
};

// onnxruntime aborts (an out-of-memory WASM heap) surface as unhandled rejections: the engine's
// state can no longer be trusted, so ask the page for a fresh Worker (it keeps the document).
self.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
  const reason = event.reason instanceof Error ? event.reason.message : String(event.reason);
  if (/abort|out of memory|RuntimeError/i.test(reason)) post({ kind: 'fatal', reason: `The in-page engine failed: ${reason}` });
  else logger.error(`unhandled: ${reason}`);
});
