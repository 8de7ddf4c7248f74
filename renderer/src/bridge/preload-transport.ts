/** Electron: the preload's `window.tessera` port carries messages as they are (structured clone). */
import type { TesseraPreloadApi } from '../../../shared/preload-api.ts';
import type { Transport } from './transport.ts';
import { Listeners } from './transport.ts';

export function createPreloadTransport(api: TesseraPreloadApi): Transport {
  const status = new Listeners<{ state: 'open' } | { state: 'closed'; reason: string }>();
  // The port exists as soon as the preload ran; announce "open" once listeners are attached.
  queueMicrotask(() => status.emit({ state: 'open' }));
  return {
    send: (message) => api.postMessage(message),
    onMessage: (listener) => api.onMessage(listener),
    onStatus: (l) => status.add(l),
    close: () => undefined,
  };
}
