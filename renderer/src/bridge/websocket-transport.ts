/**
 * Serve mode: the engine host runs in a Node server and messages travel as JSON over a
 * WebSocket (typed arrays as base64, shared/wire.ts). The token from the page URL authorises the
 * socket. Messages sent before the socket opens are queued; a dropped socket reconnects with
 * back-off (the server keeps no per-connection state the studio relies on). The socket lives in
 * a worker (socket-worker.ts) so decoding previews never blocks painting.
 */
import type { Transport } from './transport.ts';
import type { FromWorker, ToWorker } from './socket-protocol.ts';
import { Listeners } from './transport.ts';
import { openReconnectingSocket } from './reconnecting-socket.ts';

export function webSocketUrl(location: { protocol: string; host: string; search: string }): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`;
}

/** The socket in a worker (decoding off the main thread); falls back to the page where workers are missing. */
export function createWebSocketTransport(url: string): Transport {
  if (typeof Worker === 'undefined') return createInPageWebSocketTransport(url);
  const worker = new Worker(new URL('./socket-worker.ts', import.meta.url), { type: 'module', name: 'tessera-socket' });
  const messages = new Listeners<unknown>();
  const status = new Listeners<{ state: 'open' } | { state: 'closed'; reason: string }>();
  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    if (m.kind === 'message') messages.emit(m.message);
    else if (m.kind === 'open') status.emit({ state: 'open' });
    else status.emit({ state: 'closed', reason: m.reason });
  };
  const post = (m: ToWorker): void => worker.postMessage(m);
  post({ kind: 'connect', url });
  return {
    send: (message) => post({ kind: 'send', message }),
    onMessage: (l) => messages.add(l),
    onStatus: (l) => status.add(l),
    close() {
      post({ kind: 'close' });
      setTimeout(() => worker.terminate(), 1000);
    },
  };
}

export function createInPageWebSocketTransport(url: string): Transport {
  const messages = new Listeners<unknown>();
  const status = new Listeners<{ state: 'open' } | { state: 'closed'; reason: string }>();
  const socket = openReconnectingSocket(url, {
    onOpen: () => status.emit({ state: 'open' }),
    onMessage: (message) => messages.emit(message),
    onClosed: (reason) => status.emit({ state: 'closed', reason }),
  });
  return {
    send: (message) => socket.send(message),
    onMessage: (l) => messages.add(l),
    onStatus: (l) => status.add(l),
    close: () => socket.close(),
  };
}
