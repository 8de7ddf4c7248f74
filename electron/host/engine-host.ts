/**
 * The engine host on Node: the core dispatcher (engine/host/engine-host.ts, shared with the page's
 * Worker) with Node's powers added — an engine on onnxruntime-node when none is given, batch
 * output on the disk, and batches on a Redis queue (node-handlers.ts).
 */
import type { Backend, EngineMessage } from '../../shared/protocol.ts';
import type { Engine } from '../../engine/engine.ts';
import { createCoreEngineHost, type EngineHost } from '../../engine/host/engine-host.ts';
import type { HandlerTable } from '../../engine/host/handlers.ts';
import type { Logger } from '../../engine/logger.ts';
import { nodeBatchFs } from '../../engine/node/batch-fs.ts';
import { createNodeEngine, stderrLogger } from '../../engine/node/create-node-engine.ts';
import { nodeHandlers } from './node-handlers.ts';

export type { EngineHost } from '../../engine/host/engine-host.ts';

export interface EngineHostOptions {
  send(message: EngineMessage): void;
  /** User model folders (besides the embedded ones and TESSERA_MODELS_DIR). */
  modelDirs?: string[];
  /** Backend for models loaded implicitly by a job (model.load names its own). */
  backend?: Backend;
  /** A shared engine (several clients, one job queue); the host then does not dispose it. */
  engine?: Engine;
  logger?: Logger;
  /** Handlers overriding the core's and Node's (tests, serve mode). */
  handlers?: Partial<HandlerTable>;
}

export function createEngineHost(options: EngineHostOptions): EngineHost {
  const logger = options.logger ?? stderrLogger();
  const engine = options.engine ?? createNodeEngine({ modelDirs: options.modelDirs ?? [], backend: options.backend ?? 'auto', logger });
  return createCoreEngineHost({
    send: options.send,
    engine,
    ownsEngine: options.engine === undefined,
    logger,
    batchFs: nodeBatchFs,
    handlers: { ...nodeHandlers, ...options.handlers },
  });
}
