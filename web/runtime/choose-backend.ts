/**
 * Which onnxruntime-web backend the page's engine uses (pure, unit-tested):
 *
 *  - WebGPU only when `navigator.gpu` gives a hardware adapter: a fallback adapter
 *    (`info.isFallbackAdapter`) or a software one by name (SwiftShader, llvmpipe, WARP…) counts as
 *    no GPU, because it is far slower than WASM;
 *  - otherwise WASM, on as many threads as cores (at most 4) when the page is cross-origin
 *    isolated (SharedArrayBuffer exists), else on one thread;
 *  - an explicit `webgpu` (the studio's backend setting, or `?backend=webgpu`) takes any adapter,
 *    software included, with a warning: the e2e uses it to check WebGPU on SwiftShader.
 */
import { TesseraError } from '../../shared/errors.ts';
import type { Backend } from '../../shared/protocol.ts';
import { isSoftwareAdapterName } from '../../shared/software-adapter.ts';

/** What the page learned from navigator.gpu (null: no WebGPU at all, or no adapter). */
export interface WebAdapterReport {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
}

export interface WebBackendDecision {
  provider: 'webgpu' | 'wasm';
  threads: number;
  note: string | undefined;
}

export interface WebEnvironment {
  adapter: WebAdapterReport | null;
  /** Why there is no adapter (no navigator.gpu, requestAdapter failed), for the note. */
  adapterProblem: string | undefined;
  crossOriginIsolated: boolean;
  cores: number;
}

export const MAX_WASM_THREADS = 4;

export function describeWebAdapter(a: WebAdapterReport): string {
  const name = [a.vendor, a.architecture, a.description].filter((s) => s.length > 0).join(' ');
  return `the WebGPU adapter "${name || 'unnamed'}"`;
}

export function isSoftwareWebAdapter(a: WebAdapterReport): boolean {
  return a.isFallbackAdapter || isSoftwareAdapterName(`${a.vendor} ${a.architecture} ${a.description}`);
}

export function wasmThreads(env: Pick<WebEnvironment, 'crossOriginIsolated' | 'cores'>): number {
  return env.crossOriginIsolated ? Math.max(1, Math.min(MAX_WASM_THREADS, env.cores)) : 1;
}

export function chooseWebBackend(requested: Backend, env: WebEnvironment): WebBackendDecision {
  const threads = wasmThreads(env);
  const wasmNote = env.crossOriginIsolated ? undefined : 'WebAssembly on one thread: this page is not cross-origin isolated (serve it with COOP/COEP headers for more threads).';
  if (requested === 'cpu' || requested === 'wasm') return { provider: 'wasm', threads, note: wasmNote };
  if (requested === 'webgpu') {
    if (!env.adapter) {
      throw new TesseraError('BACKEND_UNAVAILABLE', `WebGPU was asked for, but this browser gives no WebGPU adapter (${env.adapterProblem ?? 'requestAdapter returned null'}). Choose Auto or WASM as the backend, or use a browser with WebGPU enabled.`);
    }
    const note = isSoftwareWebAdapter(env.adapter) ? `${describeWebAdapter(env.adapter)} is a software renderer; WebGPU was forced, and it will be much slower than WASM.` : undefined;
    return { provider: 'webgpu', threads, note };
  }
  // auto
  if (env.adapter && !isSoftwareWebAdapter(env.adapter)) return { provider: 'webgpu', threads, note: undefined };
  const why = env.adapter ? `${describeWebAdapter(env.adapter)} is a software renderer` : `no WebGPU adapter (${env.adapterProblem ?? 'requestAdapter returned null'})`;
  return { provider: 'wasm', threads, note: `Using WebAssembly: ${why}.${env.crossOriginIsolated ? '' : ' One thread: this page is not cross-origin isolated.'}` };
}
