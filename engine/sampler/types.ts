/** What a sampler is given and what it reports back after each chunk. */
import type { Chunk, GridSize, WindowSize } from '../../shared/grid.ts';
import type { Xoshiro128 } from '../../shared/prng.ts';
import type { SamplingSettings } from '../../shared/sampling.ts';
import type { CancelToken } from '../cancel.ts';

export interface ChunkDone {
  chunk: Chunk;
  /** Tokens sampled so far (region tokens only when a region is given). */
  tokensDone: number;
  tokensTotal: number;
}

export interface SamplerJob {
  grid: GridSize;
  window: WindowSize;
  /** Cond tokens, one row-major grid per sample. */
  cond: readonly Int32Array[];
  /** Image tokens per sample: read for tokens outside `region` (kept), written for sampled ones. */
  tokens: Int32Array[];
  /** Entropy (nats) per token and sample, written for sampled tokens. */
  entropy: Float32Array[];
  /** 1 = sample this token; null = sample the whole grid (inpainting passes a region). */
  region: Uint8Array | null;
  /** One generator per sample (docs/SAMPLING.md: sample b uses its own seed). */
  rngs: Xoshiro128[];
  settings: SamplingSettings;
  /** Image codebook size: the first `imageVocab` logits are the candidates. */
  imageVocab: number;
  /** Tokens per chunk: the cached sampler's stride, and for both samplers the preview granularity. */
  stride: number;
  cancel: CancelToken;
  onChunk(done: ChunkDone): Promise<void> | void;
  /** After each sampled token (all samples of the batch): for previews inside long chunks. */
  onToken?(index: number, tokensDone: number): void;
}

export interface SamplerStats {
  forwards: number;
  /** Transformer positions computed (sum of S × batch). */
  positions: number;
  /** Cached sampler: most bytes of window KV caches kept across chunks at once. */
  peakCacheBytes?: number;
}
