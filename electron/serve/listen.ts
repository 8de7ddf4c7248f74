/**
 * Binding the studio's port. A busy port is the common case (a second studio, another program):
 * with `fallback` the server takes a free port instead and says so; without it the error says what
 * to do rather than Node's bare `listen EADDRINUSE`.
 */
import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Bound {
  port: number;
  /** The port that was asked for and was busy, when the server fell back to a free one. */
  busyPort?: number;
}

export class PortInUseError extends Error {
  constructor(readonly port: number, host: string) {
    super(`Port ${port} on ${host} is in use (another Tessera studio, or another program). Choose another with --port N, or --port 0 for any free port.`);
  }
}

function listenOnce(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, host) : error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export async function listenWithFallback(server: Server, port: number, host: string, fallback: boolean): Promise<Bound> {
  try {
    return { port: await listenOnce(server, port, host) };
  } catch (error) {
    if (!(error instanceof PortInUseError) || !fallback || port === 0) throw error;
    return { port: await listenOnce(server, 0, host), busyPort: port };
  }
}
