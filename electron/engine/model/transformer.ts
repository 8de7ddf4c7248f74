/**
 * The transformer graph as the samplers use it: a forward over `S` new tokens on top of an
 * optional KV cache of `P` tokens (P = 0 is a plain full forward). Cache tensors stay on the JS
 * side between calls; `fetchCache: false` skips copying them out when the caller does not need
 * them (the exact sampler).
 *
 * Two graph kinds (the manifest's `tensors.transformer.pastLength` tells them apart):
 * - `in-place`: the cache is one preallocated buffer per layer sized to the block, fed as it is
 *   every step with `past_length` = the valid positions; the graph returns only the new positions'
 *   keys and values, which are written into the buffer here. Nothing grows and nothing is
 *   allocated per step, so a step costs the attention, not copies of the whole cache
 *   (measured ~3× fewer milliseconds per token on the default model).
 * - `concat`: older bundles, `present = concat(past, new)`; the grown cache is copied out and fed
 *   back each step.
 * Extending an in-place cache mutates it: callers keep only the cache a forward returned.
 */
import { TesseraError } from '../../../shared/errors.ts';
import type { Manifest } from '../../../shared/manifest.ts';
import { raceCancel, type CancelToken } from '../cancel.ts';
import { expectFloat32, float32Tensor, int64Tensor, type HostTensor, type ModelSession } from '../runtime.ts';
import { layerName } from './model-checks.ts';

export interface KvCache {
  batch: number;
  /** Tokens already in the cache. */
  length: number;
  /** Positions each buffer holds: `length` for concat caches, the block size for in-place ones. */
  capacity: number;
  /** keys[i], values[i]: float32 [batch, heads, capacity, headDim] of layer i. */
  keys: Float32Array[];
  values: Float32Array[];
}

export type TransformerCacheKind = 'in-place' | 'concat';

export interface ForwardResult {
  /** float32 [batch, seq, vocabSize] */
  logits: Float32Array;
  cache: KvCache | null;
}

export interface TransformerOptions {
  /**
   * Whether the runtime takes zero-sized tensors (a past of capacity 0). onnxruntime's CPU and WASM
   * kernels do; its WebGPU execution provider kills the process on them (measured on Dawn over
   * SwiftShader, both for the cache-less forward and a prefill), so there an in-place graph is fed
   * a one-slot past, which `past_length` 0 masks out, or the prefill's whole empty buffer.
   */
  zeroSizedInputs: boolean;
}

export class TransformerRunner {
  readonly vocabSize: number;
  readonly layers: number;
  readonly heads: number;
  readonly headDim: number;
  readonly cacheKind: TransformerCacheKind;
  private readonly blockSize: number;
  private readonly names: { inputIds: string; logits: string; pastLength: string | undefined; pastKey: string[]; pastValue: string[]; presentKey: string[]; presentValue: string[] };
  /** Forwards run so far and tokens fed (the bench reads these). */
  stats = { forwards: 0, tokens: 0 };

  constructor(
    private readonly session: ModelSession,
    manifest: Manifest,
    private readonly options: TransformerOptions = { zeroSizedInputs: true },
  ) {
    const tr = manifest.transformer;
    const n = manifest.tensors.transformer;
    this.vocabSize = tr.vocabSize;
    this.layers = tr.layers;
    this.heads = tr.heads;
    this.headDim = tr.width / tr.heads;
    this.blockSize = tr.blockSize;
    this.cacheKind = n.pastLength === undefined ? 'concat' : 'in-place';
    const each = (tmpl: string): string[] => Array.from({ length: tr.layers }, (_, i) => layerName(tmpl, i));
    this.names = { inputIds: n.inputIds, logits: n.logits, pastLength: n.pastLength, pastKey: each(n.pastKey), pastValue: each(n.pastValue), presentKey: each(n.presentKey), presentValue: each(n.presentValue) };
  }

  cacheBytes(cache: KvCache): number {
    return 2 * this.layers * cache.batch * this.heads * cache.capacity * this.headDim * 4;
  }

  /**
   * Runs `ids` (int64 [batch, seq], row-major) after `cache`. Returns logits for every new
   * position and, when `fetchCache`, the cache extended by these tokens.
   */
  async forward(ids: BigInt64Array, batch: number, cache: KvCache | null, fetchCache: boolean, cancel: CancelToken): Promise<ForwardResult> {
    cancel.throwIfCancelled();
    const seq = ids.length / batch;
    if (!Number.isInteger(seq) || seq < 1) throw new TesseraError('INTERNAL', `transformer input of ${ids.length} ids does not split into ${batch} rows`);
    if (cache && cache.batch !== batch) throw new TesseraError('INTERNAL', `KV cache batch ${cache.batch} ≠ input batch ${batch}`);
    if (this.cacheKind === 'in-place') return this.forwardInPlace(ids, batch, seq, cache, fetchCache, cancel);
    const past = cache?.length ?? 0;
    const feeds: Record<string, HostTensor> = { [this.names.inputIds]: int64Tensor(ids, [batch, seq]) };
    const emptyDims = [batch, this.heads, 0, this.headDim];
    const pastDims = [batch, this.heads, past, this.headDim];
    const empty = new Float32Array(0);
    for (let i = 0; i < this.layers; i++) {
      feeds[this.names.pastKey[i] as string] = float32Tensor(cache ? (cache.keys[i] as Float32Array) : empty, cache ? pastDims : emptyDims);
      feeds[this.names.pastValue[i] as string] = float32Tensor(cache ? (cache.values[i] as Float32Array) : empty, cache ? pastDims : emptyDims);
    }
    const fetches = fetchCache ? [this.names.logits, ...this.names.presentKey, ...this.names.presentValue] : [this.names.logits];
    const out = await raceCancel(this.session.run(feeds, fetches), cancel);
    this.stats.forwards++;
    this.stats.tokens += ids.length;
    const logits = expectFloat32(out[this.names.logits], 'logits');
    this.checkLogits(logits, batch, seq);
    if (!fetchCache) return { logits, cache: null };
    const next: KvCache = { batch, length: past + seq, capacity: past + seq, keys: [], values: [] };
    const expected = batch * this.heads * (past + seq) * this.headDim;
    for (let i = 0; i < this.layers; i++) {
      const k = expectFloat32(out[this.names.presentKey[i] as string], `present key ${i}`);
      const v = expectFloat32(out[this.names.presentValue[i] as string], `present value ${i}`);
      if (k.length !== expected || v.length !== expected) {
        throw new TesseraError('MODEL_INVALID', `The transformer's cache output for layer ${i} has ${k.length} values, expected ${expected} ([${batch},${this.heads},${past + seq},${this.headDim}]).`);
      }
      next.keys.push(k);
      next.values.push(v);
    }
    return { logits, cache: next };
  }

  /** Checks the logits' width against the manifest (a mismatched bundle shows up here first). */
  private checkLogits(logits: Float32Array, batch: number, seq: number): void {
    if (logits.length === batch * seq * this.vocabSize) return;
    const width = logits.length / (batch * seq);
    throw new TesseraError(
      'MODEL_INVALID',
      `The transformer's logits are ${Number.isInteger(width) ? width : '?'} wide, but the manifest's transformer.vocabSize is ${this.vocabSize}: the manifest does not match transformer.onnx.`,
    );
  }

  private allocate(batch: number): KvCache {
    const size = batch * this.heads * this.blockSize * this.headDim;
    return {
      batch,
      length: 0,
      capacity: this.blockSize,
      keys: Array.from({ length: this.layers }, () => new Float32Array(size)),
      values: Array.from({ length: this.layers }, () => new Float32Array(size)),
    };
  }

  private async forwardInPlace(ids: BigInt64Array, batch: number, seq: number, cache: KvCache | null, fetchCache: boolean, cancel: CancelToken): Promise<ForwardResult> {
    // Without a cache to keep, feed zero-capacity buffers: a plain forward with no cache to fill.
    const target = fetchCache ? (cache ?? this.allocate(batch)) : null;
    const past = target?.length ?? 0;
    if (past + seq > this.blockSize) throw new TesseraError('INTERNAL', `${past} cached + ${seq} new positions exceed the block size ${this.blockSize}`);
    const capacity = target?.capacity ?? 0;
    // A prefill into an empty cache has nothing to attend to in it: feed zero-capacity buffers, so
    // the graph skips the scores against `capacity` masked slots (a 256-token prefill of the default
    // model: ~40 % less time, the same logits bit for bit, measured), and copy the new keys in below.
    const zeroSized = this.options.zeroSizedInputs;
    const fed = past === 0 && zeroSized ? null : target;
    const fedCapacity = fed ? capacity : zeroSized ? 0 : 1;
    const dims = [batch, this.heads, fedCapacity, this.headDim];
    const empty = new Float32Array(fed ? 0 : batch * this.heads * fedCapacity * this.headDim);
    const feeds: Record<string, HostTensor> = {
      [this.names.inputIds]: int64Tensor(ids, [batch, seq]),
      [this.names.pastLength as string]: int64Tensor(BigInt64Array.of(BigInt(past)), []),
    };
    for (let i = 0; i < this.layers; i++) {
      feeds[this.names.pastKey[i] as string] = float32Tensor(fed ? (fed.keys[i] as Float32Array) : empty, dims);
      feeds[this.names.pastValue[i] as string] = float32Tensor(fed ? (fed.values[i] as Float32Array) : empty, dims);
    }
    const fetches = target ? [this.names.logits, ...this.names.presentKey, ...this.names.presentValue] : [this.names.logits];
    const out = await raceCancel(this.session.run(feeds, fetches), cancel);
    this.stats.forwards++;
    this.stats.tokens += ids.length;
    const logits = expectFloat32(out[this.names.logits], 'logits');
    this.checkLogits(logits, batch, seq);
    if (!target) return { logits, cache: null };
    const expected = batch * this.heads * seq * this.headDim;
    const span = seq * this.headDim;
    for (let i = 0; i < this.layers; i++) {
      const k = expectFloat32(out[this.names.presentKey[i] as string], `new key ${i}`);
      const v = expectFloat32(out[this.names.presentValue[i] as string], `new value ${i}`);
      if (k.length !== expected || v.length !== expected) {
        throw new TesseraError('MODEL_INVALID', `The transformer's new keys for layer ${i} have ${k.length} values, expected ${expected} ([${batch},${this.heads},${seq},${this.headDim}]).`);
      }
      // Row (b, h) of the new positions goes to slots [past, past + seq) of the same row in the buffer.
      for (let row = 0; row < batch * this.heads; row++) {
        const at = (row * capacity + past) * this.headDim;
        (target.keys[i] as Float32Array).set(k.subarray(row * span, (row + 1) * span), at);
        (target.values[i] as Float32Array).set(v.subarray(row * span, (row + 1) * span), at);
      }
    }
    target.length = past + seq;
    return { logits, cache: target };
  }
}
