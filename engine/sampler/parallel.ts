/**
 * The parallel sampler (docs/SAMPLING.md, "parallel"): several token rows decoded per forward, each
 * row `lead` columns behind the row above (the spatial-locality idea of ZipAR). The plan
 * (shared/parallel-schedule.ts) says, step by step, which positions each window's forward runs,
 * which of them go into the window's cache and which logits draw which token; this file runs it on
 * a `positions` transformer graph, one slot cache per window, and draws the step's tokens rows
 * ascending with each sample's own generator. The Python reference (training/reference_sampler.py
 * sample_parallel) runs the same plan. Previews: one `onChunk` per row segment finished (a row of
 * a window), plus `onToken` per token.
 */
import { TesseraError } from '../../shared/errors.ts';
import { parallelPlan, type ParallelOrder } from '../../shared/parallel-schedule.ts';
import type { Xoshiro128 } from '../../shared/prng.ts';
import type { SlotCache, TransformerRunner } from '../model/transformer.ts';
import { checkedDraw } from './draw.ts';
import type { SamplerJob, SamplerStats } from './types.ts';

export interface ParallelOptions {
  /** Columns a row must be ahead of the row below it before that row decodes a column (≥ 1). */
  lead: number;
  /** How bands overlap: the model's `defaults.parallelOrder`, else `bands`. */
  order: ParallelOrder;
}

export async function sampleParallel(job: SamplerJob, transformer: TransformerRunner, options: ParallelOptions): Promise<SamplerStats> {
  if (transformer.cacheKind !== 'positions') {
    throw new TesseraError(
      'BAD_INPUT',
      `The parallel sampler needs a transformer graph with a positions cache; this model's is the ${transformer.cacheKind} kind. Use the cached sampler, or re-export the model: python3 -m training.reexport_transformer BUNDLE.`,
    );
  }
  const { grid } = job;
  const batch = job.cond.length;
  const vocab = transformer.vocabSize;
  const scratch = new Float64Array(job.imageVocab);
  const plan = parallelPlan(grid, job.window, options.lead, options.order);
  const stats: SamplerStats = { forwards: 0, positions: 0, peakCacheBytes: 0 };
  const region = job.region;
  const total = region ? region.reduce((s, v) => s + (v ? 1 : 0), 0) : grid.rows * grid.cols;
  const caches = new Map<number, SlotCache>();
  const logitsOf = new Map<number, { logits: Float32Array; at: number; seq: number }>();
  let done = 0;

  for (const step of plan.steps) {
    logitsOf.clear();
    for (const feed of step.feeds) {
      let cache = caches.get(feed.window);
      if (!cache) {
        cache = transformer.allocateSlots(batch);
        caches.set(feed.window, cache);
        stats.peakCacheBytes = Math.max(stats.peakCacheBytes ?? 0, caches.size * transformer.cacheBytes(cache));
      }
      const seq = feed.items.length;
      const ids = new BigInt64Array(batch * seq);
      const positions = new Int32Array(seq);
      const store = new Uint8Array(seq);
      feed.items.forEach((it, t) => {
        positions[t] = it.position;
        store[t] = it.store ? 1 : 0;
        for (let b = 0; b < batch; b++) ids[b * seq + t] = BigInt(((it.source === 'cond' ? job.cond[b] : job.tokens[b]) as Int32Array)[it.cell] as number);
      });
      const logits = await transformer.forwardSlots(ids, positions, store, batch, cache, job.cancel);
      stats.forwards++;
      stats.positions += batch * seq;
      for (const q of feed.queries) logitsOf.set(q.cell, { logits, at: q.item, seq });
    }
    for (const cell of step.cells) {
      if (region && !region[cell]) continue;
      const out = logitsOf.get(cell);
      if (!out) throw new TesseraError('INTERNAL', `parallel plan: no logits for cell ${cell}`);
      const row = Math.floor(cell / grid.cols);
      const col = cell % grid.cols;
      for (let b = 0; b < batch; b++) {
        const d = checkedDraw(out.logits, (b * out.seq + out.at) * vocab, job.imageVocab, job.settings, job.rngs[b] as Xoshiro128, scratch, () => `token row ${row}, column ${col} (sample ${b})`);
        (job.tokens[b] as Int32Array)[cell] = d.token;
        (job.entropy[b] as Float32Array)[cell] = d.entropy;
      }
      done++;
      job.onToken?.(cell, done);
    }
    for (const w of step.release) caches.delete(w);
    for (const chunk of step.chunks) {
      if (region) {
        let any = false;
        for (let k = 0; k < chunk.count; k++) if (region[chunk.row * grid.cols + chunk.col + k]) any = true;
        if (!any) continue;
      }
      await job.onChunk({ chunk, tokensDone: done, tokensTotal: total });
    }
  }
  return stats;
}
