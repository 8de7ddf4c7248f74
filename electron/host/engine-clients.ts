/**
 * What both engine processes do: read their command line, create one engine, and give each client
 * its own host over it. The Electron utilityProcess (utility-entry.ts, clients are MessagePorts)
 * and serve mode's Node child (child-entry.ts, clients are numbers on the IPC channel) differ only
 * in how messages travel, so that is all they implement themselves. One shared engine means one
 * model cache and one job queue for every client; one host per client means each client receives
 * only its own replies and events.
 *
 * Arguments: `--embedded-models-dir=<folder>` (the app's own bundles; once packaged they sit in the
 * resources folder, not beside this file; omitted = assets/models of this checkout),
 * `--models-dir=<folder>` (repeatable: user folders) and `--backend=auto|cpu|webgpu|wasm`.
 * TESSERA_MODELS_DIR, TESSERA_CACHE_DIR and TESSERA_LOG come from the environment.
 */
import { BackendSchema, type Backend, type EngineMessage } from '../../shared/protocol.ts';
import type { Logger } from '../../engine/logger.ts';
import { createNodeEngine, stderrLogger } from '../../engine/node/create-node-engine.ts';
import { createEngineHost, type EngineHost } from './engine-host.ts';

export interface EngineProcessArgs {
  embeddedDirs: string[];
  modelDirs: string[];
  backend: Backend;
}

function argValues(argv: readonly string[], name: string): string[] {
  const prefix = `--${name}=`;
  return argv.filter((a) => a.startsWith(prefix)).map((a) => a.slice(prefix.length));
}

export function parseEngineProcessArgs(argv: readonly string[]): EngineProcessArgs {
  return {
    embeddedDirs: argValues(argv, 'embedded-models-dir'),
    modelDirs: argValues(argv, 'models-dir'),
    // An unknown backend is not worth a dead engine: auto picks what works.
    backend: BackendSchema.catch('auto').parse(argValues(argv, 'backend')[0] ?? 'auto'),
  };
}

/** The inverse of parseEngineProcessArgs, for the process that starts the engine. */
export function formatEngineProcessArgs(args: EngineProcessArgs): string[] {
  return [...args.embeddedDirs.map((dir) => `--embedded-models-dir=${dir}`), ...args.modelDirs.map((dir) => `--models-dir=${dir}`), `--backend=${args.backend}`];
}

export interface EngineClients {
  /** A host for a new client; its replies and events go to `send`. */
  open(send: (message: EngineMessage) => void): EngineHost;
  /** The client went away: its host stops (running jobs finish unless someone cancels them). */
  close(host: EngineHost): void;
  /** Engine-wide cancel (a client that went away cannot send job.cancel itself). */
  cancel(jobId: string): boolean;
  /** Disposes every host, then the engine. */
  shutdown(): Promise<void>;
}

export function createEngineClients(args: EngineProcessArgs, logger: Logger = stderrLogger()): EngineClients {
  const engine = createNodeEngine({ ...(args.embeddedDirs.length > 0 ? { embeddedDirs: args.embeddedDirs } : {}), modelDirs: args.modelDirs, backend: args.backend, logger });
  const hosts = new Set<EngineHost>();
  return {
    open(send) {
      const host = createEngineHost({ engine, logger, send });
      hosts.add(host);
      return host;
    },
    close(host) {
      if (!hosts.delete(host)) return;
      void host.dispose();
    },
    cancel: (jobId) => engine.cancel(jobId),
    async shutdown() {
      await Promise.allSettled([...hosts].map((h) => h.dispose()));
      hosts.clear();
      await engine.dispose();
    },
  };
}
