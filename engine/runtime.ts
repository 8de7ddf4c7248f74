/**
 * The engine's view of an inference runtime. The core never touches onnxruntime directly: it
 * talks to a `Runtime` that creates `ModelSession`s, and the adapters (ort-session.ts, shared by
 * node/ort-node.ts and web/ort-web.ts) are the only code that knows onnxruntime exists.
 */
import type { ActiveBackend, Backend } from '../shared/protocol.ts';

/** A tensor on the JS side: the two element types Tessera's graphs use. */
export type HostTensor =
  | { type: 'int64'; data: BigInt64Array; dims: readonly number[] }
  | { type: 'float32'; data: Float32Array; dims: readonly number[] };

/** One graph input or output as the runtime reports it; symbolic dimensions are strings. */
export interface ValueInfo {
  name: string;
  /** e.g. 'int64', 'float32'; undefined when the runtime cannot tell. */
  type: string | undefined;
  shape: ReadonlyArray<number | string> | undefined;
}

export interface ModelSession {
  /** Which bundle file this is, for error messages (e.g. `transformer`). */
  readonly label: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /**
   * Runs the graph. Feeds are checked against the input names first; runs on one session are
   * serialised (the second waits for the first), because onnxruntime sessions are not re-entrant
   * on every backend.
   */
  run(feeds: Readonly<Record<string, HostTensor>>, fetches: readonly string[]): Promise<Record<string, HostTensor>>;
  release(): Promise<void>;
}

/** Where a model's bytes come from: a file path (native runtimes load it themselves) or bytes. */
export type ModelSource = { kind: 'path'; path: string } | { kind: 'bytes'; bytes: Uint8Array; name: string };

/** What a runtime may tune for one graph. */
export interface SessionHints {
  /**
   * The graph's activations are image-sized and its input shapes differ from run to run (canvases,
   * tiles, preview rectangles). onnxruntime-node then runs it without a memory pattern: a pattern
   * is a planned block per input shape kept in the arena beside what the first run of that shape
   * left there, so each new shape adds its whole peak again (measured: +38 MB on a second 384² decode).
   */
  imageSized?: boolean;
  /**
   * Keep onnxruntime's CPU memory arena (default true). Without it a run's peak is what it needs,
   * not up to twice that, and nothing stays behind, but every tensor is allocated afresh: several
   * times slower. For one-off runs on large canvases only (model/canvas-session.ts).
   */
  memoryArena?: boolean;
}

export interface Runtime {
  readonly backend: ActiveBackend;
  /** Why this backend was chosen, or a warning about it (shown in the studio and the CLI). */
  readonly note: string | undefined;
  createSession(label: string, source: ModelSource, hints?: SessionHints): Promise<ModelSession>;
  dispose(): Promise<void>;
}

/** Creates the runtime for a requested backend; `auto` is resolved by the factory. */
export type RuntimeFactory = (backend: Backend) => Promise<Runtime>;

export function int64Tensor(data: BigInt64Array, dims: readonly number[]): HostTensor {
  return { type: 'int64', data, dims };
}

export function float32Tensor(data: Float32Array, dims: readonly number[]): HostTensor {
  return { type: 'float32', data, dims };
}

export function describeTensor(name: string, t: HostTensor): string {
  return `${name} ${t.type}[${t.dims.join(',')}]`;
}

export function expectFloat32(t: HostTensor | undefined, what: string): Float32Array {
  if (t === undefined) throw new Error(`${what} is missing from the outputs`);
  if (t.type !== 'float32') throw new Error(`${what} is ${t.type}, expected float32`);
  return t.data;
}

export function expectInt64(t: HostTensor | undefined, what: string): BigInt64Array {
  if (t === undefined) throw new Error(`${what} is missing from the outputs`);
  if (t.type !== 'int64') throw new Error(`${what} is ${t.type}, expected int64`);
  return t.data;
}
