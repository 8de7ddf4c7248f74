/**
 * Serve mode's socket, in a worker: decoding a preview (JSON + base64, ~4 MB of RGBA at 1024×1024)
 * costs tens of milliseconds, which on the main thread would be a long task per preview. Here the
 * worker decodes and hands the page plain objects whose typed arrays are transferred, not copied.
 * Validation stays in the engine client on the page (it is cheap; decoding is not).
 */
import type { FromWorker, ToWorker } from './socket-protocol.ts';
import { collectBuffers } from './socket-protocol.ts';
import type { ReconnectingSocket } from './reconnecting-socket.ts';
import { openReconnectingSocket } from './reconnecting-socket.ts';

let socket: ReconnectingSocket | null = null;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  self.postMessage(message, { transfer });
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.kind === 'connect') {
    socket = openReconnectingSocket(m.url, {
      onOpen: () => post({ kind: 'open' }),
      onMessage: (message) => post({ kind: 'message', message }, collectBuffers(message)),
      onClosed: (reason, code) => post({ kind: 'closed', reason, code }),
    });
  } else if (m.kind === 'send') {
    socket?.send(m.message);
  } else {
    socket?.close();
  }
};
