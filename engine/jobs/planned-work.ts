/**
 * How much transformer work each token of a generation costs, planned before sampling, so the ETA
 * does not assume every token costs the same. With the cached sampler it does not: a chunk whose
 * window moved prefills that window (up to 2n positions) while the next tokens of a chunk feed one
 * position each, and windows further down the canvas have longer prefixes. On 512×256 the first
 * rows went ~1.4× faster than the rest, and a token-rate ETA was half the real time left.
 *
 * The cost of a token is the number of positions the transformer is fed for it plus one per
 * forward (the fixed cost of a run), mirroring sampler/cached.ts with window-cache reuse (cache
 * eviction is not modelled: it only adds work). The exact sampler costs the same for every token.
 */
import { chunkSchedule, type GridSize, type WindowSize } from '../../shared/grid.ts';

/** Cumulative work after k sampled tokens (k = 0 … tokens sampled), or null when every token costs the same. */
export function plannedWork(sampler: string, grid: GridSize, window: WindowSize, stride: number, region: ArrayLike<number> | null, reuseWindowCache: boolean): Float64Array | null {
  if (sampler !== 'cached') return null;
  const n = window.rows * window.cols;
  const fed = new Map<string, number>();
  const costs: number[] = [];
  for (const chunk of chunkSchedule(grid, window, stride)) {
    const key = `${chunk.top},${chunk.left}`;
    let current = reuseWindowCache ? (fed.get(key) ?? 0) : 0;
    let sampled = 0;
    for (let k = 0; k < chunk.count; k++) {
      if (region && !region[chunk.row * grid.cols + chunk.col + k]) continue;
      const upto = n + chunk.localRow * window.cols + chunk.localCol + k;
      const from = current > 0 && current < upto ? current : 0;
      costs.push(upto - from + 1);
      current = upto;
      sampled++;
    }
    if (reuseWindowCache && sampled > 0) fed.set(key, current);
  }
  const work = new Float64Array(costs.length + 1);
  for (let i = 0; i < costs.length; i++) work[i + 1] = (work[i] as number) + (costs[i] as number);
  return work;
}
