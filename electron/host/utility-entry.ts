/**
 * Entry of the engine's Electron utilityProcess. It must not import 'electron': a utilityProcess
 * gets `process.parentPort` instead. Main sends requests on parentPort, or transfers MessagePorts
 * (one per client, e.g. a renderer) in a `message` event; each port gets its own host over one
 * shared engine (engine-clients.ts, shared with serve mode's child-entry.ts), so jobs from every
 * client share one queue and one set of sessions, and each client receives only its own replies
 * and events.
 *
 * Arguments (utilityProcess.fork(entry, args)): see engine-clients.ts.
 */
import type { EngineMessage } from '../../shared/protocol.ts';
import { stderrLogger } from '../../engine/node/create-node-engine.ts';
import { createEngineClients, parseEngineProcessArgs } from './engine-clients.ts';
import type { EngineHost } from './engine-host.ts';

/** The parts of Electron's MessagePortMain and ParentPort used here (typed locally: no electron import). */
interface PortLike {
  on(event: 'message', listener: (e: { data: unknown; ports?: PortLike[] }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start?(): void;
}

const parentPort = (process as NodeJS.Process & { parentPort?: PortLike }).parentPort;
if (!parentPort) {
  process.stderr.write('utility-entry.ts must run in an Electron utilityProcess (process.parentPort is missing).\n');
  process.exit(1);
}

const clients = createEngineClients(parseEngineProcessArgs(process.argv), stderrLogger());

function attach(port: PortLike): EngineHost {
  return clients.open((message: EngineMessage) => port.postMessage(message));
}

const parentHost = attach(parentPort);
parentPort.on('message', (event) => {
  for (const port of event.ports ?? []) {
    const host = attach(port);
    port.on('message', (e) => host.handle(e.data));
    port.on('close', () => clients.close(host));
    port.start?.();
  }
  if (event.data !== undefined && event.data !== null && !(event.ports?.length && isPortHandshake(event.data))) parentHost.handle(event.data);
});

/** A message whose only purpose is to hand over ports, e.g. `{ type: 'engine.connect' }`. */
function isPortHandshake(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'engine.connect';
}

process.on('SIGTERM', () => void clients.shutdown().finally(() => process.exit(0)));
