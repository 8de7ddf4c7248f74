/** The engine wired for Node hosts (utilityProcess, CLI, serve mode, tests, bench). */
import { performance } from 'node:perf_hooks';
import type { PixelSize } from '../../shared/grid.ts';
import type { Backend } from '../../shared/protocol.ts';
import { createEngine, type Engine, type EngineOptions } from '../engine.ts';
import type { Logger } from '../logger.ts';
import { createNodeRuntimeFactory } from './backends.ts';
import { NodeBundleCatalog, type NodeCatalogOptions } from './bundle-catalog.ts';
import type { AdapterReport } from './webgpu-probe.ts';

export interface NodeEngineOptions extends NodeCatalogOptions {
  /** User model folders (the host's `modelDirs`). */
  modelDirs?: string[];
  backend?: Backend;
  logger?: Logger;
  maxCanvas?: PixelSize;
  threads?: number;
  verifyFiles?: boolean;
  tuning?: EngineOptions['tuning'];
  decodeTiling?: EngineOptions['decodeTiling'];
  probe?: () => Promise<AdapterReport>;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** Logs to stderr at or above TESSERA_LOG (default warn), so stdout stays clean for --json. */
export function stderrLogger(level: string = process.env.TESSERA_LOG ?? 'warn'): Logger {
  const min = Math.max(0, LEVELS.indexOf(level as (typeof LEVELS)[number]));
  const at =
    (i: number, tag: string) =>
    (message: string): void => {
      if (i >= min) process.stderr.write(`[tessera ${tag}] ${message}\n`);
    };
  return { debug: at(0, 'debug'), info: at(1, 'info'), warn: at(2, 'warn'), error: at(3, 'error') };
}

export function createNodeEngine(options: NodeEngineOptions = {}): Engine & { catalog: NodeBundleCatalog } {
  const logger = options.logger ?? stderrLogger();
  const catalog = new NodeBundleCatalog({ ...options, userDirs: [...(options.userDirs ?? []), ...(options.modelDirs ?? [])] });
  const runtimes = createNodeRuntimeFactory({ logger, ...(options.threads ? { threads: options.threads } : {}), ...(options.probe ? { probe: options.probe } : {}) });
  const engine = createEngine({
    catalog,
    runtimes,
    defaultBackend: options.backend ?? 'auto',
    logger,
    clock: () => performance.now(),
    ...(options.maxCanvas ? { maxCanvas: options.maxCanvas } : {}),
    ...(options.verifyFiles !== undefined ? { verifyFiles: options.verifyFiles } : {}),
    ...(options.tuning ? { tuning: options.tuning } : {}),
    ...(options.decodeTiling ? { decodeTiling: options.decodeTiling } : {}),
  });
  const disposeEngine = engine.dispose;
  return Object.assign(engine, {
    catalog,
    async dispose(): Promise<void> {
      await disposeEngine();
      await runtimes.dispose();
    },
  });
}
