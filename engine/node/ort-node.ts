/**
 * onnxruntime-node adapter: the CPU execution provider (the default) and the native WebGPU
 * execution provider (Dawn, bundled in onnxruntime-node ≥ 1.2x). The addon is imported lazily so
 * that a machine where it cannot load falls back to WebAssembly instead of crashing at startup.
 */
import type { InferenceSession } from 'onnxruntime-common';
import { TesseraError } from '../../shared/errors.ts';
import type { Logger } from '../logger.ts';
import { createOrtRuntime, type TensorFactory } from '../ort-session.ts';
import type { ModelSource, Runtime, SessionHints } from '../runtime.ts';

type OrtNode = typeof import('onnxruntime-node');

let loading: Promise<OrtNode> | null = null;

/** Loads the native addon once; rejects with BACKEND_UNAVAILABLE (and keeps rejecting) if it cannot. */
export function loadOrtNode(): Promise<OrtNode> {
  loading ??= import('onnxruntime-node').catch((error: unknown) => {
    const why = error instanceof Error ? error.message : String(error);
    throw new TesseraError('BACKEND_UNAVAILABLE', `The native onnxruntime-node addon could not be loaded: ${why}`);
  });
  return loading;
}

export interface OrtNodeOptions {
  provider: 'cpu' | 'webgpu';
  /** Threads for the CPU provider's intra-op pool (cores by default). */
  threads: number;
  note: string | undefined;
  logger: Logger;
}

export async function createOrtNodeRuntime(options: OrtNodeOptions): Promise<Runtime> {
  const ort = await loadOrtNode();
  const makeTensor: TensorFactory = (type, data, dims) => new ort.Tensor(type, data, dims as number[]);
  const sessionOptions = (hints: SessionHints): InferenceSession.SessionOptions =>
    options.provider === 'cpu'
      ? {
          executionProviders: ['cpu'],
          intraOpNumThreads: options.threads,
          interOpNumThreads: 1,
          graphOptimizationLevel: 'all',
          logSeverityLevel: 3,
          ...(hints.imageSized ? { enableMemPattern: false } : {}),
          ...(hints.memoryArena === false ? { enableCpuMemArena: false } : {}),
        }
      : // Graph capture and a GPU-resident KV cache would be faster on real GPUs but are not measured yet.
        { executionProviders: [{ name: 'webgpu' }], graphOptimizationLevel: 'all', logSeverityLevel: 3 };
  return createOrtRuntime({
    backend: options.provider,
    note: options.note,
    logger: options.logger,
    makeTensor,
    async open(label, source, hints) {
      try {
        return source.kind === 'path' ? await ort.InferenceSession.create(source.path, sessionOptions(hints)) : await ort.InferenceSession.create(source.bytes, sessionOptions(hints));
      } catch (error) {
        throw sessionCreateError(label, source, error);
      }
    },
  });
}

/** A clear MODEL_INVALID for a graph that onnxruntime refuses (truncated, corrupt, wrong opset). */
export function sessionCreateError(label: string, source: ModelSource, error: unknown): TesseraError {
  const why = (error instanceof Error ? error.message : String(error)).trim();
  const where = source.kind === 'path' ? source.path : source.name;
  const hint = /protobuf|parse|truncat|Invalid|Load model/i.test(why) ? ' The file is probably truncated or not an ONNX model: download or export it again.' : '';
  return new TesseraError('MODEL_INVALID', `onnxruntime could not load the ${label} graph (${where}): ${why}.${hint}`, { graph: label, path: where });
}
