/**
 * onnxruntime-web adapter: WebAssembly (Node's fallback when the native addon cannot load, and
 * the page's CPU runtime) and WebGPU (the page's GPU runtime, onnxruntime-web/webgpu). The caller
 * passes the onnxruntime-web module it imported, because which build is right depends on where it
 * runs: Node imports `onnxruntime-web`; the page's Worker imports `onnxruntime-web/wasm` or
 * `onnxruntime-web/webgpu` only when it chooses that backend (web/runtime/web-runtimes.ts), so a
 * WASM-only page never downloads the WebGPU build. Models are passed as bytes, because the web
 * build `fetch()`es a path, which fails for `file:` paths in Node.
 */
import type * as OrtWeb from 'onnxruntime-web';
import { TesseraError } from '../../shared/errors.ts';
import type { Logger } from '../logger.ts';
import { createOrtRuntime, type TensorFactory } from '../ort-session.ts';
import type { Runtime } from '../runtime.ts';

/** Any onnxruntime-web build (they share one set of types). */
export type OrtWebModule = typeof OrtWeb;

export interface OrtWebOptions {
  ort: OrtWebModule;
  /** Default 'wasm'. 'webgpu' needs the onnxruntime-web/webgpu build and a WebGPU adapter. */
  provider?: 'wasm' | 'webgpu';
  /** WASM threads (needs cross-origin isolation in a browser; works in Node). */
  threads: number;
  /** Where the .wasm/.mjs files are served (the static build's ort/ folder); unset = next to the module. */
  wasmPaths?: string;
  note: string | undefined;
  logger: Logger;
  /** Reads a `path` source (Node passes fs; a browser passes its verified model store). */
  readBytes?: (path: string) => Promise<Uint8Array>;
}

export async function createOrtWebRuntime(options: OrtWebOptions): Promise<Runtime> {
  const { ort } = options;
  const provider = options.provider ?? 'wasm';
  ort.env.wasm.numThreads = options.threads;
  if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
  const makeTensor: TensorFactory = (type, data, dims) => new ort.Tensor(type, data, dims as number[]);
  return createOrtRuntime({
    backend: provider,
    note: options.note,
    logger: options.logger,
    makeTensor,
    async open(label, source) {
      const bytes = source.kind === 'bytes' ? source.bytes : await readPath(options, source.path);
      try {
        return await ort.InferenceSession.create(bytes, { executionProviders: [provider], graphOptimizationLevel: 'all' });
      } catch (error) {
        const why = (error instanceof Error ? error.message : String(error)).trim();
        const where = source.kind === 'path' ? source.path : source.name;
        throw new TesseraError('MODEL_INVALID', `onnxruntime-web (${provider}) could not load the ${label} graph (${where}): ${why}. The file is probably truncated or not an ONNX model.`, {
          graph: label,
          path: where,
        });
      }
    },
  });
}

async function readPath(options: OrtWebOptions, path: string): Promise<Uint8Array> {
  if (!options.readBytes) throw new TesseraError('INTERNAL', `The WebAssembly runtime needs model bytes; no reader was given for ${path}.`);
  return options.readBytes(path);
}
