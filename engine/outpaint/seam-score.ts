/**
 * Best of N for the sides a causal GPT cannot look at. Inside a window the transformer sees only
 * what comes earlier in raster order, so a new token above the old image never sees it, and one
 * left of it sees it only in the rows above. What the model can do is say how well the old
 * image continues a candidate: the log-probability of the old tokens next to the new area
 * ("the seam band": old tokens within half a window of a new token), each predicted in its
 * window with the candidate in place. Sampling N candidates (one batch, seeds s, s+1, …) and
 * keeping the one under which the old image is most likely makes the old image the context of
 * the new rows after all: p(new) · p(old | new) is what a joint sample would follow.
 *
 * Each band token is scored once, from the window the cached sampler at stride = window width
 * gives its row chunk (shared/grid.ts chunkSchedule), with one full forward per chunk for all
 * candidates; untempered and untruncated: the model's own probability.
 */
import { chunkSchedule, type GridSize, type WindowSize } from '../../shared/grid.ts';
import type { CancelToken } from '../cancel.ts';
import { dilateRegion } from '../inpaint/region.ts';
import type { TransformerRunner } from '../model/transformer.ts';
import { batchSequence } from '../sampler/sequence.ts';

/** Old tokens within ⌊k/2⌋ rows and columns of a new one. */
export function seamBand(region: Uint8Array, grid: GridSize, window: WindowSize): Uint8Array {
  const reach = Math.max(1, Math.floor(Math.max(window.rows, window.cols) / 2));
  const near = dilateRegion(region, grid, reach);
  for (let i = 0; i < near.length; i++) if (region[i]) near[i] = 0;
  return near;
}

function logSoftmaxAt(logits: Float32Array, offset: number, count: number, token: number): number {
  let max = -Infinity;
  for (let i = 0; i < count; i++) max = Math.max(max, logits[offset + i] as number);
  let total = 0;
  for (let i = 0; i < count; i++) total += Math.exp((logits[offset + i] as number) - max);
  return (logits[offset + token] as number) - max - Math.log(total);
}

/** Summed log-probability (nats) of the band's tokens under each candidate's token grid. */
export async function scoreSeam(
  transformer: TransformerRunner,
  cond: Int32Array,
  candidates: readonly Int32Array[],
  band: Uint8Array,
  grid: GridSize,
  window: WindowSize,
  imageVocab: number,
  cancel: CancelToken,
): Promise<{ scores: number[]; tokens: number; forwards: number }> {
  const n = window.rows * window.cols;
  const seq = 2 * n - 1;
  const batch = candidates.length;
  const conds = candidates.map(() => cond);
  const scores = new Array<number>(batch).fill(0);
  let tokens = 0;
  let forwards = 0;
  for (const chunk of chunkSchedule(grid, window, window.cols)) {
    const cells: Array<{ index: number; position: number }> = [];
    for (let k = 0; k < chunk.count; k++) {
      const index = chunk.row * grid.cols + chunk.col + k;
      if (band[index]) cells.push({ index, position: n + chunk.localRow * window.cols + chunk.localCol + k - 1 });
    }
    if (cells.length === 0) continue;
    cancel.throwIfCancelled();
    const ids = batchSequence(conds, candidates, grid, window, chunk.top, chunk.left, 0, seq);
    const { logits } = await transformer.forward(ids, batch, null, false, cancel);
    forwards++;
    const vocab = transformer.vocabSize;
    for (let b = 0; b < batch; b++) {
      const tokensOf = candidates[b] as Int32Array;
      for (const cell of cells) scores[b] = (scores[b] as number) + logSoftmaxAt(logits, (b * seq + cell.position) * vocab, imageVocab, tokensOf[cell.index] as number);
    }
    tokens += cells.length;
  }
  return { scores, tokens, forwards };
}
