/**
 * The one onnxruntime door of the core: a `ModelSession` over onnxruntime-common's
 * `InferenceSession` interface. onnxruntime-node and onnxruntime-web each bring their own
 * `InferenceSession` and `Tensor` classes (the web bundle carries its own copy of common), so the
 * adapters pass theirs in; this file only uses the common *types*.
 *
 * It owns the three session habits: feeds checked against `inputNames` before a run, one run at
 * a time per session, and shapes logged when a run fails.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { TesseraError } from '../shared/errors.ts';
import type { Logger } from './logger.ts';
import type { ActiveBackend } from '../shared/protocol.ts';
import { describeTensor, type HostTensor, type ModelSession, type ModelSource, type Runtime, type SessionHints, type ValueInfo } from './runtime.ts';

export type TensorFactory = (type: 'int64' | 'float32', data: BigInt64Array | Float32Array, dims: readonly number[]) => Tensor;

function valueInfos(names: readonly string[], metadata: readonly InferenceSession.ValueMetadata[] | undefined): ValueInfo[] {
  return names.map((name) => {
    const meta = metadata?.find((m) => m.name === name);
    if (meta === undefined || !meta.isTensor) return { name, type: undefined, shape: undefined };
    return { name, type: meta.type, shape: meta.shape };
  });
}

export function describeValueInfo(v: ValueInfo): string {
  return `${v.name} ${v.type ?? '?'}[${v.shape?.join(',') ?? '?'}]`;
}

export class OrtModelSession implements ModelSession {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** The tail of this session's run queue: each run starts when the previous one settled. */
  private tail: Promise<unknown> = Promise.resolve();
  private released = false;

  constructor(
    readonly label: string,
    private readonly session: InferenceSession,
    private readonly makeTensor: TensorFactory,
    private readonly logger: Logger,
  ) {
    // Older runtimes lack the metadata arrays; names alone still allow the feed check.
    const meta = session as Partial<Pick<InferenceSession, 'inputMetadata' | 'outputMetadata'>>;
    this.inputs = valueInfos(session.inputNames, meta.inputMetadata);
    this.outputs = valueInfos(session.outputNames, meta.outputMetadata);
  }

  run(feeds: Readonly<Record<string, HostTensor>>, fetches: readonly string[]): Promise<Record<string, HostTensor>> {
    this.checkFeeds(feeds, fetches);
    const next = this.tail.then(() => this.runNow(feeds, fetches));
    this.tail = next.catch(() => undefined);
    return next;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.tail;
    await this.session.release();
  }

  private checkFeeds(feeds: Readonly<Record<string, HostTensor>>, fetches: readonly string[]): void {
    if (this.released) throw new TesseraError('INTERNAL', `The ${this.label} session was already released.`);
    const expected = new Set(this.session.inputNames);
    const given = Object.keys(feeds);
    const unknown = given.filter((n) => !expected.has(n));
    const missing = this.session.inputNames.filter((n) => !(n in feeds));
    const outputs = new Set(this.session.outputNames);
    const badFetches = fetches.filter((n) => !outputs.has(n));
    if (unknown.length + missing.length + badFetches.length === 0) return;
    const parts: string[] = [];
    if (unknown.length > 0) parts.push(`no input named ${unknown.map((n) => `"${n}"`).join(', ')}`);
    if (missing.length > 0) parts.push(`inputs not fed: ${missing.map((n) => `"${n}"`).join(', ')}`);
    if (badFetches.length > 0) parts.push(`no output named ${badFetches.map((n) => `"${n}"`).join(', ')}`);
    const message =
      `The ${this.label} graph does not match the manifest's tensor names: ${parts.join('; ')}. ` +
      `Graph inputs: ${this.inputs.map(describeValueInfo).join(', ')}; outputs: ${this.outputs.map(describeValueInfo).join(', ')}. ` +
      `Fed: ${Object.entries(feeds).map(([n, t]) => describeTensor(n, t)).join(', ')}.`;
    this.logger.error(message);
    throw new TesseraError('MODEL_INVALID', message);
  }

  private async runNow(feeds: Readonly<Record<string, HostTensor>>, fetches: readonly string[]): Promise<Record<string, HostTensor>> {
    const ortFeeds: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = this.makeTensor(t.type, t.data, t.dims);
    let results: InferenceSession.ReturnType;
    try {
      results = await this.session.run(ortFeeds, fetches as string[]);
    } catch (error) {
      const shapes = Object.entries(feeds).map(([n, t]) => describeTensor(n, t)).join(', ');
      const why = error instanceof Error ? error.message : String(error);
      const message = `onnxruntime could not run the ${this.label} graph: ${why.trim()} (fed ${shapes}; graph inputs ${this.inputs.map(describeValueInfo).join(', ')})`;
      this.logger.error(message);
      throw new TesseraError('MODEL_INVALID', message, { graph: this.label, feeds: shapes });
    }
    const out: Record<string, HostTensor> = {};
    for (const name of fetches) {
      const t = results[name];
      if (t === undefined) throw new TesseraError('MODEL_INVALID', `The ${this.label} graph returned no "${name}" output.`);
      const dims = [...t.dims];
      if (t.type === 'float32') out[name] = { type: 'float32', data: t.data as Float32Array, dims };
      else if (t.type === 'int64') out[name] = { type: 'int64', data: t.data as BigInt64Array, dims };
      else if (t.type === 'int32') out[name] = { type: 'int64', data: BigInt64Array.from(t.data as Int32Array, (v) => BigInt(v)), dims };
      else throw new TesseraError('MODEL_INVALID', `The ${this.label} output "${name}" has type ${t.type}; Tessera expects float32 or int64.`);
    }
    return out;
  }
}

export interface OrtRuntimeParts {
  backend: ActiveBackend;
  note: string | undefined;
  logger: Logger;
  makeTensor: TensorFactory;
  /** Creates the adapter's own session for a graph; throws its MODEL_INVALID when the graph is refused. */
  open(label: string, source: ModelSource, hints: SessionHints): Promise<InferenceSession>;
}

/** A `Runtime` over an onnxruntime adapter: wraps each session and releases them all on dispose. */
export function createOrtRuntime(parts: OrtRuntimeParts): Runtime {
  const sessions = new Set<ModelSession>();
  return {
    backend: parts.backend,
    note: parts.note,
    async createSession(label: string, source: ModelSource, hints: SessionHints = {}): Promise<ModelSession> {
      const session = await parts.open(label, source, hints);
      const wrapped = new OrtModelSession(label, session, parts.makeTensor, parts.logger);
      sessions.add(wrapped);
      return wrapped;
    },
    async dispose(): Promise<void> {
      const all = [...sessions];
      sessions.clear();
      await Promise.allSettled(all.map((s) => s.release()));
    },
  };
}
