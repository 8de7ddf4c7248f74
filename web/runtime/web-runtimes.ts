/**
 * The page Worker's runtime factory: asks navigator.gpu for an adapter once, decides with
 * choose-backend.ts, and imports only the onnxruntime-web build that decision needs
 * (onnxruntime-web/wasm, or onnxruntime-web/webgpu). Its .wasm files are the static build's own
 * (`<base>/ort/`, copied by scripts/build-web.mjs): nothing is fetched from a CDN.
 */
import type { Backend } from '../../shared/protocol.ts';
import type { Logger } from '../../engine/logger.ts';
import type { Runtime, RuntimeFactory } from '../../engine/runtime.ts';
import { createOrtWebRuntime, type OrtWebModule } from '../../engine/web/ort-web.ts';
import { chooseWebBackend, type WebAdapterReport, type WebEnvironment } from './choose-backend.ts';

/** The few WebGPU members used here (TypeScript's lib has no WebGPU types yet). */
interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}

export async function probeWebEnvironment(): Promise<WebEnvironment> {
  const cores = typeof navigator.hardwareConcurrency === 'number' ? navigator.hardwareConcurrency : 1;
  const base = { crossOriginIsolated: globalThis.crossOriginIsolated === true, cores };
  const gpu = (navigator as WorkerNavigator & { gpu?: GpuLike }).gpu;
  if (!gpu) return { ...base, adapter: null, adapterProblem: 'navigator.gpu is missing: WebGPU is off in this browser, or the page is not a secure context' };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { ...base, adapter: null, adapterProblem: 'requestAdapter returned null' };
    const info = adapter.info ?? {};
    const report: WebAdapterReport = {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      description: info.description ?? '',
      isFallbackAdapter: info.isFallbackAdapter === true || adapter.isFallbackAdapter === true,
    };
    return { ...base, adapter: report, adapterProblem: undefined };
  } catch (error) {
    return { ...base, adapter: null, adapterProblem: `requestAdapter failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export interface WebRuntimeOptions {
  /** The static build's root URL (ends with '/'). */
  baseUrl: string;
  /** `?backend=`: replaces every requested backend. */
  forceBackend: Backend | null;
  logger: Logger;
  /** Verified model bytes by URL (web/models/model-store.ts). */
  readBytes(url: string): Promise<Uint8Array>;
  /** Replaces the navigator.gpu probe (tests). */
  probe?: () => Promise<WebEnvironment>;
}

async function importOrt(provider: 'wasm' | 'webgpu'): Promise<OrtWebModule> {
  // Two literal imports, so the bundler splits each build into its own chunk.
  const ort = provider === 'webgpu' ? ((await import('onnxruntime-web/webgpu')) as OrtWebModule) : ((await import('onnxruntime-web/wasm')) as OrtWebModule);
  // onnxruntime's warnings (e.g. shape ops placed on the CPU) are not the studio's; errors still show.
  ort.env.logLevel = 'error';
  return ort;
}

export function createWebRuntimeFactory(options: WebRuntimeOptions): RuntimeFactory {
  let environment: Promise<WebEnvironment> | null = null;
  const runtimes = new Map<string, Promise<Runtime>>();
  return async (requested: Backend): Promise<Runtime> => {
    const wanted = options.forceBackend ?? requested;
    environment ??= (options.probe ?? probeWebEnvironment)();
    const decision = chooseWebBackend(wanted, await environment);
    const key = `${decision.provider}/${decision.threads}`;
    let pending = runtimes.get(key);
    if (!pending) {
      if (decision.note) options.logger.info(`backend ${wanted} → ${decision.provider}: ${decision.note}`);
      pending = (async () =>
        createOrtWebRuntime({
          ort: await importOrt(decision.provider),
          provider: decision.provider,
          threads: decision.threads,
          wasmPaths: new URL('ort/', options.baseUrl).href,
          note: decision.note,
          logger: options.logger,
          readBytes: options.readBytes,
        }))();
      runtimes.set(key, pending);
      pending.catch(() => runtimes.delete(key));
    }
    return pending;
  };
}
