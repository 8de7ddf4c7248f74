/**
 * The cached sampler. Each row is cut into chunks of `stride` tokens (shared/grid.ts
 * chunkSchedule); a chunk's tokens share one window. The window's prefix up to the chunk's first
 * token goes through the transformer once, filling the KV cache, and then the chunk's tokens are
 * decoded one at a time, each fed back as a single new position.
 *
 * Window cache reuse (on by default): taming's window only moves when the sampled token leaves
 * the pinned band (rows ≤ k/2, the last rows, and the same on columns), so consecutive chunks
 * often share a window whose prefix is already cached. Every window position before the token
 * being predicted is final when it is predicted (raster order), so a cache entry stays valid for
 * as long as its window is in use: the next chunk only feeds the positions that are new to it.
 * With reuse off every chunk prefills from scratch, as the Python reference does; both give the
 * same logits up to float rounding (tested). Which caches are kept, and for how long: window-caches.ts.
 */
import { chunkSchedule } from '../../shared/grid.ts';
import type { Xoshiro128 } from '../../shared/prng.ts';
import type { KvCache, TransformerRunner } from '../model/transformer.ts';
import { checkedDraw } from './draw.ts';
import { batchSequence } from './sequence.ts';
import type { SamplerJob, SamplerStats } from './types.ts';
import { nextWindowUses, WindowCaches, windowKey, type WindowEntry } from './window-caches.ts';

export interface CachedOptions {
  /** Reuse a window's KV cache across chunks (see above). */
  reuseWindowCache: boolean;
  /** Upper bound on cached KV bytes kept across chunks; the window needed latest goes first. */
  maxCacheBytes: number;
  /** Drop a window's cache after its last chunk (default true; off only to compare with). */
  dropUnusableWindows?: boolean;
}

export async function sampleCached(job: SamplerJob, transformer: TransformerRunner, options: CachedOptions): Promise<SamplerStats> {
  const { grid, window } = job;
  const n = window.rows * window.cols;
  const batch = job.cond.length;
  const vocab = transformer.vocabSize;
  const scratch = new Float64Array(job.imageVocab);
  const stats: SamplerStats = { forwards: 0, positions: 0 };
  const total = job.region ? job.region.reduce((s, v) => s + (v ? 1 : 0), 0) : grid.rows * grid.cols;
  const chunks = chunkSchedule(grid, window, job.stride);
  const region = job.region;
  const runs = (i: number): boolean => {
    const c = chunks[i] as (typeof chunks)[number];
    if (!region) return true;
    for (let k = 0; k < c.count; k++) if (region[c.row * grid.cols + c.col + k]) return true;
    return false;
  };
  const nextUse = nextWindowUses(chunks, runs);
  const caches = new WindowCaches((c) => transformer.cacheBytes(c), options.maxCacheBytes, options.dropUnusableWindows ?? true);
  let done = 0;

  /**
   * Logits (one row of `vocab` per sample) after sequence position `upto − 1` of the chunk's
   * window, feeding only what `current` lacks. Returns the updated entry.
   */
  const advance = async (current: WindowEntry | null, top: number, left: number, upto: number): Promise<{ logits: Float32Array; seq: number; entry: WindowEntry }> => {
    const from = current && current.fed < upto ? current.fed : 0;
    const past = from > 0 && current ? current.cache : null;
    const ids = batchSequence(job.cond, job.tokens, grid, window, top, left, from, upto);
    const result = await transformer.forward(ids, batch, past, true, job.cancel);
    stats.forwards++;
    stats.positions += batch * (upto - from);
    return { logits: result.logits, seq: upto - from, entry: { top, left, cache: result.cache as KvCache, fed: upto } };
  };

  for (const [index, chunk] of chunks.entries()) {
    const key = windowKey(chunk);
    // Within a chunk the cache is always carried (that is what a chunk is); across chunks only with reuse.
    let current: WindowEntry | null = options.reuseWindowCache ? caches.get(key) : null;
    let sampledInChunk = 0;
    for (let k = 0; k < chunk.count; k++) {
      const row = chunk.row;
      const col = chunk.col + k;
      const index = row * grid.cols + col;
      if (job.region && !job.region[index]) continue;
      // Image position m of the window is predicted by the logits after n + m positions.
      const m = chunk.localRow * window.cols + chunk.localCol + k;
      const step = await advance(current, chunk.top, chunk.left, n + m);
      current = step.entry;
      for (let b = 0; b < batch; b++) {
        const d = checkedDraw(step.logits, (b * step.seq + step.seq - 1) * vocab, job.imageVocab, job.settings, job.rngs[b] as Xoshiro128, scratch, () => `token row ${row}, column ${col} (sample ${b})`);
        (job.tokens[b] as Int32Array)[index] = d.token;
        (job.entropy[b] as Float32Array)[index] = d.entropy;
      }
      done++;
      sampledInChunk++;
      job.onToken?.(index, done);
    }
    // A chunk without region tokens ran nothing: what is kept for its window stays as it was.
    if (options.reuseWindowCache && current && sampledInChunk > 0) caches.keep(key, current, nextUse[index] as number);
    if (sampledInChunk > 0) await job.onChunk({ chunk, tokensDone: done, tokensTotal: total });
  }
  stats.peakCacheBytes = caches.peakBytes;
  return stats;
}
