/**
 * Entry of the engine's Electron utilityProcess. It must not import 'electron': a utilityProcess
 * gets `process.parentPort` instead. Main sends requests on parentPort, or transfers MessagePorts
 * (one per client, e.g. a renderer) in a `message` event; each port gets its own host over one
 * shared engine, so jobs from every client share one queue and one set of sessions, and each
 * client receives only its own replies and events.
 *
 * Arguments (utilityProcess.fork(entry, args)): `--embedded-models-dir=<folder>` (the app's own
 * bundles; once packaged they sit in the resources folder, not beside this file), `--models-dir=<folder>`
 * (repeatable: the user's models folders) and `--backend=auto|cpu|webgpu|wasm`.
 */
import { BackendSchema, type EngineMessage } from '../../shared/protocol.ts';
import { createNodeEngine, stderrLogger } from '../engine/node/create-node-engine.ts';
import { createEngineHost, type EngineHost } from './engine-host.ts';

/** The parts of Electron's MessagePortMain and ParentPort used here (typed locally: no electron import). */
interface PortLike {
  on(event: 'message', listener: (e: { data: unknown; ports?: PortLike[] }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start?(): void;
}

function argValues(name: string): string[] {
  const prefix = `--${name}=`;
  return process.argv.filter((a) => a.startsWith(prefix)).map((a) => a.slice(prefix.length));
}

const parentPort = (process as NodeJS.Process & { parentPort?: PortLike }).parentPort;
if (!parentPort) {
  process.stderr.write('utility-entry.ts must run in an Electron utilityProcess (process.parentPort is missing).\n');
  process.exit(1);
}

const logger = stderrLogger();
const backend = BackendSchema.catch('auto').parse(argValues('backend')[0] ?? 'auto');
const embeddedDirs = argValues('embedded-models-dir');
const engine = createNodeEngine({ ...(embeddedDirs.length > 0 ? { embeddedDirs } : {}), modelDirs: argValues('models-dir'), backend, logger });
const hosts = new Set<EngineHost>();

function attach(port: PortLike): EngineHost {
  const host = createEngineHost({ engine, logger, send: (message: EngineMessage) => port.postMessage(message) });
  hosts.add(host);
  return host;
}

const parentHost = attach(parentPort);
parentPort.on('message', (event) => {
  for (const port of event.ports ?? []) {
    const host = attach(port);
    port.on('message', (e) => host.handle(e.data));
    port.on('close', () => {
      hosts.delete(host);
      void host.dispose();
    });
    port.start?.();
  }
  if (event.data !== undefined && event.data !== null && !(event.ports?.length && isPortHandshake(event.data))) parentHost.handle(event.data);
});

/** A message whose only purpose is to hand over ports, e.g. `{ type: 'engine.connect' }`. */
function isPortHandshake(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'engine.connect';
}

async function shutdown(): Promise<void> {
  await Promise.allSettled([...hosts].map((h) => h.dispose()));
  await engine.dispose();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
