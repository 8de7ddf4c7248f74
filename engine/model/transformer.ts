/**
 * The transformer graph as the samplers use it: a forward over `S` new tokens on top of an
 * optional KV cache of `P` tokens (P = 0 is a plain full forward). Cache tensors stay on the JS
 * side between calls; `fetchCache: false` skips copying them out when the caller does not need
 * them (the exact sampler).
 *
 * Three graph kinds (the manifest's `tensors.transformer.positionIds` and `pastLength` tell them apart):
 * - `positions` (training/positions_cache_graph.py): in place like `in-place`, but each new token
 *   comes with its position (its keys and values go to that slot) and the valid slots are a mask,
 *   not a prefix. `forward` feeds it contiguous positions and a prefix mask (the same attention,
 *   the same logits as `in-place`); `forwardSlots` feeds any positions over any valid slots, which
 *   the parallel sampler needs (rows decoded at once, earlier slots not yet filled).
 * - `in-place`: the cache is one preallocated buffer per layer sized to the block, fed as it is
 *   every step with `past_length` = the valid positions; the graph returns only the new positions'
 *   keys and values, which are written into the buffer here. Nothing grows and nothing is
 *   allocated per step, so a step costs the attention, not copies of the whole cache
 *   (measured ~3× fewer milliseconds per token on the default model).
 * - `concat`: older bundles, `present = concat(past, new)`; the grown cache is copied out and fed
 *   back each step.
 * Extending an in-place cache mutates it: callers keep only the cache a forward returned.
 */
import { TesseraError } from '../../shared/errors.ts';
import type { Manifest } from '../../shared/manifest.ts';
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

export type TransformerCacheKind = 'positions' | 'in-place' | 'concat';

/**
 * A `positions` graph's cache for the parallel sampler: slot = position in the window sequence,
 * `valid[slot]` = 1 once a key is stored there (the same slots for every sample of the batch).
 */
export interface SlotCache {
  batch: number;
  capacity: number;
  /** keys[i], values[i]: float32 [batch, heads, capacity, headDim] of layer i. */
  keys: Float32Array[];
  values: Float32Array[];
  valid: Uint8Array;
}

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
  private readonly names: { inputIds: string; logits: string; pastLength: string | undefined; positionIds: string | undefined; keyValid: string | undefined; pastKey: string[]; pastValue: string[]; presentKey: string[]; presentValue: string[] };
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
    this.cacheKind = n.positionIds !== undefined ? 'positions' : n.pastLength !== undefined ? 'in-place' : 'concat';
    const each = (tmpl: string): string[] => Array.from({ length: tr.layers }, (_, i) => layerName(tmpl, i));
    this.names = { inputIds: n.inputIds, logits: n.logits, pastLength: n.pastLength, positionIds: n.positionIds, keyValid: n.keyValid, pastKey: each(n.pastKey), pastValue: each(n.pastValue), presentKey: each(n.presentKey), presentValue: each(n.presentValue) };
  }

  cacheBytes(cache: KvCache | SlotCache): number {
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
    if (this.cacheKind !== 'concat') return this.forwardInPlace(ids, batch, seq, cache, fetchCache, cancel);
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
    const feeds: Record<string, HostTensor> = { [this.names.inputIds]: int64Tensor(ids, [batch, seq]) };
    if (this.cacheKind === 'positions') {
      // Positions past..past+seq−1 and the prefix [0, past) valid: the in-place graph's attention.
      const positions = new BigInt64Array(batch * seq);
      for (let b = 0; b < batch; b++) for (let t = 0; t < seq; t++) positions[b * seq + t] = BigInt(past + t);
      const valid = new BigInt64Array(batch * fedCapacity);
      if (fed) for (let b = 0; b < batch; b++) valid.fill(1n, b * fedCapacity, b * fedCapacity + past);
      feeds[this.names.positionIds as string] = int64Tensor(positions, [batch, seq]);
      feeds[this.names.keyValid as string] = int64Tensor(valid, [batch, fedCapacity]);
    } else {
      feeds[this.names.pastLength as string] = int64Tensor(BigInt64Array.of(BigInt(past)), []);
    }
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

  /** An empty slot cache of the block size (positions graphs only). */
  allocateSlots(batch: number): SlotCache {
    if (this.cacheKind !== 'positions') throw new TesseraError('INTERNAL', `slot caches need a positions graph (this one is ${this.cacheKind})`);
    const c = this.allocate(batch);
    return { batch, capacity: c.capacity, keys: c.keys, values: c.values, valid: new Uint8Array(c.capacity) };
  }

  /**
   * Runs `ids` (int64 [batch, seq]) at `positions` (the same for every sample) over `cache`: each
   * new token attends the cache's valid slots before its position and the new tokens at positions
   * up to its own. The keys and values of tokens with `store[t]` are written to slot `positions[t]`
   * and marked valid; the others (placeholders) only give logits. Returns the logits
   * (float32 [batch, seq, vocabSize]).
   */
  async forwardSlots(ids: BigInt64Array, positions: Int32Array, store: Uint8Array, batch: number, cache: SlotCache, cancel: CancelToken): Promise<Float32Array> {
    cancel.throwIfCancelled();
    const seq = positions.length;
    if (ids.length !== batch * seq || store.length !== seq) throw new TesseraError('INTERNAL', `slot forward: ${ids.length} ids, ${seq} positions, ${store.length} store flags for batch ${batch}`);
    if (cache.batch !== batch) throw new TesseraError('INTERNAL', `slot cache batch ${cache.batch} ≠ input batch ${batch}`);
    const capacity = cache.capacity;
    for (let t = 0; t < seq; t++) {
      const p = positions[t] as number;
      if (!(p >= 0 && p < capacity)) throw new TesseraError('INTERNAL', `position ${p} is outside the cache of ${capacity} slots`);
    }
    // Nothing valid yet (a window's first feed): zero-capacity buffers, as for an in-place prefill.
    const empty = !cache.valid.includes(1);
    const fedCapacity = empty ? (this.options.zeroSizedInputs ? 0 : 1) : capacity;
    const dims = [batch, this.heads, fedCapacity, this.headDim];
    const blank = empty ? new Float32Array(batch * this.heads * fedCapacity * this.headDim) : null;
    const positionIds = new BigInt64Array(batch * seq);
    for (let b = 0; b < batch; b++) for (let t = 0; t < seq; t++) positionIds[b * seq + t] = BigInt(positions[t] as number);
    const valid = new BigInt64Array(batch * fedCapacity);
    if (!empty) for (let b = 0; b < batch; b++) for (let j = 0; j < capacity; j++) if (cache.valid[j]) valid[b * capacity + j] = 1n;
    const feeds: Record<string, HostTensor> = {
      [this.names.inputIds]: int64Tensor(ids, [batch, seq]),
      [this.names.positionIds as string]: int64Tensor(positionIds, [batch, seq]),
      [this.names.keyValid as string]: int64Tensor(valid, [batch, fedCapacity]),
    };
    for (let i = 0; i < this.layers; i++) {
      feeds[this.names.pastKey[i] as string] = float32Tensor(blank ?? (cache.keys[i] as Float32Array), dims);
      feeds[this.names.pastValue[i] as string] = float32Tensor(blank ?? (cache.values[i] as Float32Array), dims);
    }
    const stored = store.includes(1);
    const fetches = stored ? [this.names.logits, ...this.names.presentKey, ...this.names.presentValue] : [this.names.logits];
    const out = await raceCancel(this.session.run(feeds, fetches), cancel);
    this.stats.forwards++;
    this.stats.tokens += ids.length;
    const logits = expectFloat32(out[this.names.logits], 'logits');
    this.checkLogits(logits, batch, seq);
    if (!stored) return logits;
    const expected = batch * this.heads * seq * this.headDim;
    const d = this.headDim;
    for (let i = 0; i < this.layers; i++) {
      const k = expectFloat32(out[this.names.presentKey[i] as string], `new key ${i}`);
      const v = expectFloat32(out[this.names.presentValue[i] as string], `new value ${i}`);
      if (k.length !== expected || v.length !== expected) {
        throw new TesseraError('MODEL_INVALID', `The transformer's new keys for layer ${i} have ${k.length} values, expected ${expected} ([${batch},${this.heads},${seq},${d}]).`);
      }
      const keys = cache.keys[i] as Float32Array;
      const values = cache.values[i] as Float32Array;
      // Token t of row (b, h) goes to slot positions[t] of the same row in the buffer.
      for (let row = 0; row < batch * this.heads; row++) {
        for (let t = 0; t < seq; t++) {
          if (!store[t]) continue;
          const from = (row * seq + t) * d;
          const at = (row * capacity + (positions[t] as number)) * d;
          keys.set(k.subarray(from, from + d), at);
          values.set(v.subarray(from, from + d), at);
        }
      }
    }
    for (let t = 0; t < seq; t++) if (store[t]) cache.valid[positions[t] as number] = 1;
    return logits;
  }
}
