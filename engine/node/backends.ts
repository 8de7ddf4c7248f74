/**
 * Resolves `--backend auto|cpu|webgpu|wasm` to a runtime, once per process:
 *
 *  - auto: onnxruntime-node with WebGPU only when the probe positively identifies a hardware
 *    adapter; otherwise the CPU provider; WebAssembly when the native addon cannot load.
 *  - webgpu: whatever adapter exists, software ones with a warning (useful for testing on
 *    SwiftShader); BACKEND_UNAVAILABLE when there is none.
 *  - cpu / wasm: exactly that, or BACKEND_UNAVAILABLE.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { TesseraError } from '../../shared/errors.ts';
import type { ActiveBackend, Backend } from '../../shared/protocol.ts';
import { SILENT_LOGGER, type Logger } from '../logger.ts';
import type { Runtime, RuntimeFactory } from '../runtime.ts';
import { createOrtWebRuntime } from '../web/ort-web.ts';
import { createOrtNodeRuntime, loadOrtNode } from './ort-node.ts';
import { probeWebGpu, type AdapterReport } from './webgpu-probe.ts';

export interface NodeRuntimeOptions {
  logger?: Logger;
  /** Threads for the CPU provider and WASM; defaults to TESSERA_THREADS or the number of cores. */
  threads?: number;
  /** Replaces the WebGPU probe (tests); the default runs it once per process. */
  probe?: () => Promise<AdapterReport>;
}

export function defaultThreads(): number {
  const fromEnv = Number(process.env.TESSERA_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

let sharedProbe: Promise<AdapterReport> | null = null;
function probeOnce(): Promise<AdapterReport> {
  sharedProbe ??= probeWebGpu();
  return sharedProbe;
}

export interface BackendDecision {
  backend: ActiveBackend;
  note: string | undefined;
}

function describeAdapter(r: AdapterReport): string {
  return r.device === undefined ? 'the WebGPU adapter' : `the WebGPU adapter "${r.device}"`;
}

/** Decides the backend (without creating sessions). */
export async function decideBackend(requested: Backend, probe: () => Promise<AdapterReport>): Promise<BackendDecision> {
  if (requested === 'wasm') return { backend: 'wasm', note: undefined };
  let nativeError: TesseraError | null = null;
  try {
    await loadOrtNode();
  } catch (error) {
    nativeError = error instanceof TesseraError ? error : new TesseraError('BACKEND_UNAVAILABLE', String(error));
  }
  if (requested === 'cpu') {
    if (nativeError) throw nativeError;
    return { backend: 'cpu', note: undefined };
  }
  if (requested === 'auto' && nativeError) {
    return { backend: 'wasm', note: `${nativeError.message}; using WebAssembly (onnxruntime-web), which is 2–9× slower.` };
  }
  if (nativeError) throw nativeError;
  const report = await probe();
  if (requested === 'webgpu') {
    if (!report.available) throw new TesseraError('BACKEND_UNAVAILABLE', `No usable WebGPU adapter: ${report.error ?? 'the probe failed'}.`, { evidence: report.evidence });
    if (report.software === false) return { backend: 'webgpu', note: `WebGPU on ${report.device ?? 'a hardware adapter'} (${report.evidence}).` };
    return {
      backend: 'webgpu',
      note: `Warning: ${describeAdapter(report)} is ${report.software ? 'a software renderer' : 'not known to be hardware'} (${report.evidence}); it is far slower than the CPU backend. Use it for testing only.`,
    };
  }
  // auto
  if (report.available && report.software === false) return { backend: 'webgpu', note: `WebGPU on ${report.device ?? 'a hardware adapter'} (${report.evidence}).` };
  if (report.available) {
    return {
      backend: 'cpu',
      note: `${describeAdapter(report)} is ${report.software ? 'a software renderer' : 'not known to be hardware'} (${report.evidence}), so the CPU backend is used instead.`,
    };
  }
  return { backend: 'cpu', note: `No WebGPU adapter (${report.error ?? report.evidence}); using the CPU.` };
}

/** A factory that creates one runtime per resolved backend and reuses it. */
export function createNodeRuntimeFactory(options: NodeRuntimeOptions = {}): RuntimeFactory & { dispose(): Promise<void> } {
  const logger = options.logger ?? SILENT_LOGGER;
  const threads = options.threads ?? defaultThreads();
  const probe = options.probe ?? probeOnce;
  const runtimes = new Map<string, Promise<Runtime>>();
  const factory = async (requested: Backend): Promise<Runtime> => {
    let pending = runtimes.get(requested);
    if (!pending) {
      pending = (async () => {
        const decision = await decideBackend(requested, probe);
        if (decision.note) logger.info(`backend ${requested} → ${decision.backend}: ${decision.note}`);
        if (decision.backend === 'wasm') {
          const ort = await import('onnxruntime-web');
          return createOrtWebRuntime({ ort, threads, note: decision.note, logger, readBytes: async (p) => new Uint8Array(await readFile(p)) });
        }
        return createOrtNodeRuntime({ provider: decision.backend, threads, note: decision.note, logger });
      })();
      runtimes.set(requested, pending);
      // A failed decision is not cached: the next request tries again (e.g. after a driver install).
      pending.catch(() => runtimes.delete(requested));
    }
    return pending;
  };
  return Object.assign(factory, {
    async dispose(): Promise<void> {
      const all = [...runtimes.values()];
      runtimes.clear();
      for (const p of all) {
        try {
          await (await p).dispose();
        } catch {
          // already reported when it failed
        }
      }
    },
  });
}
