/**
 * Picks the transport for where the studio runs, in this order:
 *  1. Electron: the preload's port (`window.tessera`);
 *  2. the static build (`npm run build:web`, built with `VITE_TESSERA_ENGINE=page`, see
 *     vite.web.config.ts): the engine in a Worker of this page — there is no server to ask;
 *  3. otherwise serve mode's WebSocket (the page came from `npm run serve`).
 * The flag is a build-time constant, so the other builds drop the in-page branch and never
 * bundle the Worker.
 */
import type { TesseraDesktopApi } from '../../../shared/desktop-ipc.ts';
import type { TesseraPreloadApi } from '../../../shared/preload-api.ts';
import type { EngineClient } from './engine-client.ts';
import { createEngineClient } from './engine-client.ts';
import { startInPageEngine } from './in-page-engine.ts';
import { createPreloadTransport } from './preload-transport.ts';
import { createWebSocketTransport, webSocketUrl } from './websocket-transport.ts';
import type { WorkerTransport } from './worker-transport.ts';

declare global {
  interface Window {
    /** Electron only: the preload's API (engine port, recovery slot, and the shell's file dialogs). */
    tessera?: TesseraPreloadApi & { readonly desktop?: TesseraDesktopApi };
  }
  interface ImportMeta {
    /** Vite's build-time constants: 'page' in the static build (vite.web.config.ts). */
    readonly env: { readonly VITE_TESSERA_ENGINE?: string };
  }
}

/** True in the static build: the engine runs in this page, and files stay in this browser. */
export const IN_PAGE_ENGINE = import.meta.env.VITE_TESSERA_ENGINE === 'page';

let inPage: WorkerTransport | null = null;

export function connectEngine(): EngineClient {
  const api = window.tessera;
  if (api && typeof api.postMessage === 'function') return createEngineClient(createPreloadTransport(api));
  if (IN_PAGE_ENGINE) {
    inPage = startInPageEngine(window.location);
    return createEngineClient(inPage);
  }
  return createEngineClient(createWebSocketTransport(webSocketUrl(window.location)));
}

/** The static build's batch folders live in the engine Worker's browser storage: this zips one for download (null elsewhere). */
export function inPageBatchArchive(): ((folder: string) => Promise<{ name: string; bytes: Uint8Array }>) | null {
  const transport = inPage;
  return transport ? (folder) => transport.archive(folder) : null;
}

/** The static build's stored batch folders (list, delete, where they are kept); null elsewhere. */
export function inPageBatchFolders(): Pick<WorkerTransport, 'batchFolders' | 'batchStorage' | 'onBatchStorage'> | null {
  return inPage;
}
