/**
 * The transformer graph as the samplers use it: a forward over `S` new tokens on top of an
 * optional KV cache of `P` tokens (P = 0 is a plain full forward). Cache tensors stay on the JS
 * side between calls; `fetchCache: false` skips copying them out when the caller does not need
 * them (the exact sampler).
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
  /** keys[i], values[i]: float32 [batch, heads, length, headDim] of layer i. */
  keys: Float32Array[];
  values: Float32Array[];
}

export interface ForwardResult {
  /** float32 [batch, seq, vocabSize] */
  logits: Float32Array;
  cache: KvCache | null;
}

export class TransformerRunner {
  readonly vocabSize: number;
  readonly layers: number;
  readonly heads: number;
  readonly headDim: number;
  private readonly names: { inputIds: string; logits: string; pastKey: string[]; pastValue: string[]; presentKey: string[]; presentValue: string[] };
  /** Forwards run so far and tokens fed (the bench reads these). */
  stats = { forwards: 0, tokens: 0 };

  constructor(
    private readonly session: ModelSession,
    manifest: Manifest,
  ) {
    const tr = manifest.transformer;
    const n = manifest.tensors.transformer;
    this.vocabSize = tr.vocabSize;
    this.layers = tr.layers;
    this.heads = tr.heads;
    this.headDim = tr.width / tr.heads;
    const each = (tmpl: string): string[] => Array.from({ length: tr.layers }, (_, i) => layerName(tmpl, i));
    this.names = { inputIds: n.inputIds, logits: n.logits, pastKey: each(n.pastKey), pastValue: each(n.pastValue), presentKey: each(n.presentKey), presentValue: each(n.presentValue) };
  }

  cacheBytes(cache: KvCache): number {
    return 2 * this.layers * cache.batch * this.heads * cache.length * this.headDim * 4;
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
    if (logits.length !== batch * seq * this.vocabSize) {
      const width = logits.length / (batch * seq);
      throw new TesseraError(
        'MODEL_INVALID',
        `The transformer's logits are ${Number.isInteger(width) ? width : '?'} wide, but the manifest's transformer.vocabSize is ${this.vocabSize}: the manifest does not match transformer.onnx.`,
      );
    }
    if (!fetchCache) return { logits, cache: null };
    const next: KvCache = { batch, length: past + seq, keys: [], values: [] };
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
}
