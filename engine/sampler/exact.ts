/**
 * The exact sampler: taming's algorithm. Every token gets its own window (shared/grid.ts
 * windowPlacement) and one full forward of `cond window ++ image window` minus the last token
 * (2n − 1 positions, no cache); its logits are read at position n + localRow·cols + localCol − 1.
 */
import { chunkSchedule, windowPlacement } from '../../shared/grid.ts';
import type { Xoshiro128 } from '../../shared/prng.ts';
import type { TransformerRunner } from '../model/transformer.ts';
import { checkedDraw } from './draw.ts';
import { batchSequence } from './sequence.ts';
import type { SamplerJob, SamplerStats } from './types.ts';

export async function sampleExact(job: SamplerJob, transformer: TransformerRunner): Promise<SamplerStats> {
  const { grid, window } = job;
  const n = window.rows * window.cols;
  const batch = job.cond.length;
  const seq = 2 * n - 1;
  const vocab = transformer.vocabSize;
  const scratch = new Float64Array(job.imageVocab);
  const stats: SamplerStats = { forwards: 0, positions: 0 };
  const total = job.region ? job.region.reduce((s, v) => s + (v ? 1 : 0), 0) : grid.rows * grid.cols;
  let done = 0;
  for (const chunk of chunkSchedule(grid, window, job.stride)) {
    let sampledInChunk = 0;
    for (let k = 0; k < chunk.count; k++) {
      const row = chunk.row;
      const col = chunk.col + k;
      const index = row * grid.cols + col;
      if (job.region && !job.region[index]) continue;
      const p = windowPlacement(row, col, grid, window);
      const ids = batchSequence(job.cond, job.tokens, grid, window, p.top, p.left, 0, seq);
      const { logits } = await transformer.forward(ids, batch, null, false, job.cancel);
      stats.forwards++;
      stats.positions += batch * seq;
      const pos = n + p.localRow * window.cols + p.localCol - 1;
      for (let b = 0; b < batch; b++) {
        const d = checkedDraw(logits, (b * seq + pos) * vocab, job.imageVocab, job.settings, job.rngs[b] as Xoshiro128, scratch, () => `token row ${row}, column ${col} (sample ${b})`);
        (job.tokens[b] as Int32Array)[index] = d.token;
        (job.entropy[b] as Float32Array)[index] = d.entropy;
      }
      done++;
      sampledInChunk++;
      job.onToken?.(index, done);
    }
    if (sampledInChunk > 0) await job.onChunk({ chunk, tokensDone: done, tokensTotal: total });
  }
  return stats;
}
