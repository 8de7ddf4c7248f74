/**
 * Serve mode's socket, in a worker: decoding a preview (JSON + base64, ~4 MB of RGBA at 1024×1024)
 * costs tens of milliseconds, which on the main thread would be a long task per preview. Here the
 * worker decodes and hands the page plain objects whose typed arrays are transferred, not copied.
 * Validation stays in the engine client on the page (it is cheap; decoding is not).
 */
import { decodeWire, encodeWire } from '../../../shared/wire.ts';
import type { FromWorker, ToWorker } from './socket-protocol.ts';
import { collectBuffers } from './socket-protocol.ts';

let socket: WebSocket | null = null;
let url = '';
let queue: string[] = [];
let closedByPage = false;
let retry = 0;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  self.postMessage(message, { transfer });
}

function connect(): void {
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => {
    retry = 0;
    post({ kind: 'open' });
    for (const text of queue) ws.send(text);
    queue = [];
  };
  ws.onmessage = (e: MessageEvent) => {
    if (typeof e.data !== 'string') return;
    let message: unknown;
    try {
      message = decodeWire(e.data);
    } catch {
      return;
    }
    post({ kind: 'message', message }, collectBuffers(message));
  };
  ws.onclose = (e: CloseEvent) => {
    if (socket !== ws) return;
    socket = null;
    post({ kind: 'closed', reason: e.reason || `socket closed (${e.code})`, code: e.code });
    // 4401 = the server refused the token: retrying cannot help.
    if (!closedByPage && e.code !== 4401) {
      retry++;
      setTimeout(connect, Math.min(5000, 250 * 2 ** retry));
    }
  };
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.kind === 'connect') {
    url = m.url;
    connect();
  } else if (m.kind === 'send') {
    const text = encodeWire(m.message);
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(text);
    else queue.push(text);
  } else {
    closedByPage = true;
    socket?.close(1000, 'studio closed');
  }
};
