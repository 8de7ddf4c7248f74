/**
 * onnxruntime-web adapter: WebAssembly (the fallback when the native addon cannot load, and the
 * runtime of an in-browser engine). In a browser, WebGPU through onnxruntime-web/webgpu is the
 * page's business; this adapter stays on WASM. Models are passed as bytes, because the web build
 * `fetch()`es a path, which fails for `file:` paths in Node.
 */
import * as ort from 'onnxruntime-web';
import { TesseraError } from '../../shared/errors.ts';
import type { Logger } from '../logger.ts';
import { createOrtRuntime, type TensorFactory } from '../ort-session.ts';
import type { Runtime } from '../runtime.ts';

export interface OrtWebOptions {
  /** WASM threads (needs cross-origin isolation in a browser; works in Node). */
  threads: number;
  note: string | undefined;
  logger: Logger;
  /** Reads a `path` source (Node passes fs; a browser passes fetch). */
  readBytes?: (path: string) => Promise<Uint8Array>;
}

export async function createOrtWebRuntime(options: OrtWebOptions): Promise<Runtime> {
  ort.env.wasm.numThreads = options.threads;
  const makeTensor: TensorFactory = (type, data, dims) => new ort.Tensor(type, data, dims as number[]);
  return createOrtRuntime({
    backend: 'wasm',
    note: options.note,
    logger: options.logger,
    makeTensor,
    async open(label, source) {
      const bytes = source.kind === 'bytes' ? source.bytes : await readPath(options, source.path);
      try {
        return await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      } catch (error) {
        const why = (error instanceof Error ? error.message : String(error)).trim();
        const where = source.kind === 'path' ? source.path : source.name;
        throw new TesseraError('MODEL_INVALID', `onnxruntime-web could not load the ${label} graph (${where}): ${why}. The file is probably truncated or not an ONNX model.`, {
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
