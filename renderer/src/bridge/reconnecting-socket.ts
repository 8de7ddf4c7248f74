/**
 * The serve-mode WebSocket with its reconnect policy, shared by the socket worker and the in-page
 * fallback: messages sent before the socket opens are queued; a dropped socket reconnects with
 * back-off unless the page closed it or the server refused the token (4401: retrying cannot help).
 * Undecodable frames are dropped; the engine client validates what is delivered.
 */
import { decodeWire, encodeWire } from '../../../shared/wire.ts';

export interface ReconnectingSocketHandlers {
  onOpen(): void;
  onMessage(message: unknown): void;
  onClosed(reason: string, code: number): void;
}

export interface ReconnectingSocket {
  send(message: unknown): void;
  close(): void;
}

export function openReconnectingSocket(url: string, handlers: ReconnectingSocketHandlers): ReconnectingSocket {
  let socket: WebSocket | null = null;
  let queue: string[] = [];
  let closedByPage = false;
  let retry = 0;

  const connect = (): void => {
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      retry = 0;
      handlers.onOpen();
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
      handlers.onMessage(message);
    };
    ws.onclose = (e: CloseEvent) => {
      if (socket !== ws) return;
      socket = null;
      handlers.onClosed(e.reason || `socket closed (${e.code})`, e.code);
      // 4401 = the server refused the token: retrying cannot help.
      if (!closedByPage && e.code !== 4401) {
        retry++;
        setTimeout(connect, Math.min(5000, 250 * 2 ** retry));
      }
    };
  };
  connect();

  return {
    send(message) {
      const text = encodeWire(message);
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(text);
      else queue.push(text);
    },
    close() {
      closedByPage = true;
      socket?.close(1000, 'studio closed');
    },
  };
}
