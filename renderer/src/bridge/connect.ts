/** Picks the transport for where the studio runs: Electron's preload port, else serve mode's socket. */
import type { TesseraDesktopApi } from '../../../shared/desktop-ipc.ts';
import type { TesseraPreloadApi } from '../../../shared/preload-api.ts';
import type { EngineClient } from './engine-client.ts';
import { createEngineClient } from './engine-client.ts';
import { createPreloadTransport } from './preload-transport.ts';
import { createWebSocketTransport, webSocketUrl } from './websocket-transport.ts';

declare global {
  interface Window {
    /** Electron only: the preload's API (engine port, recovery slot, and the shell's file dialogs). */
    tessera?: TesseraPreloadApi & { readonly desktop?: TesseraDesktopApi };
  }
}

export function connectEngine(): EngineClient {
  const api = window.tessera;
  if (api && typeof api.postMessage === 'function') return createEngineClient(createPreloadTransport(api));
  return createEngineClient(createWebSocketTransport(webSocketUrl(window.location)));
}
