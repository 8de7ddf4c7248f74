/**
 * The ETA (engine/jobs/planned-work.ts, progress.ts). A token of the cached sampler does
 * not cost the same everywhere: the plan must count, token by token, exactly the positions and
 * forwards the real sampler feeds the real (fixture) transformer, and with it the ETA at a quarter
 * of a 512×256 image is the time actually left, where the token-rate ETA was far too low.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Xoshiro128 } from '../../shared/prng.ts';
import { NEVER_CANCELLED } from '../../engine/cancel.ts';
import type { Engine } from '../../engine/engine.ts';
import { plannedWork } from '../../engine/jobs/planned-work.ts';
import { ProgressMeter } from '../../engine/jobs/progress.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { sampleCached } from '../../engine/sampler/cached.ts';
import { FIXTURE_DIR } from './support/fixture.ts';

let engine: Engine;
beforeAll(() => {
  engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER });
});
afterAll(() => engine.dispose());

// 20×12 tokens (160×96 px) under the fixture's 4×4 window.
const layout = { width: 160, height: 96, data: new Uint8Array(160 * 96).map((_, i) => (Math.floor(i / 160 / 24) + Math.floor((i % 160) / 40)) % 4) };

/** Runs the real cached sampler, recording positions + forwards fed after each chunk. */
async function measuredWork(stride: number, region: Uint8Array | null, reuse: boolean): Promise<Array<{ tokensDone: number; work: number }>> {
  const model = await engine.model(FIXTURE_DIR);
  const { grid, tokens: cond } = await model.encodeLayouts([layout]);
  const n = grid.rows * grid.cols;
  const real = model.transformer;
  let work = 0;
  const counting = Object.create(real) as typeof real;
  counting.forward = (ids, batch, ...rest) => {
    work += ids.length / batch + 1;
    return real.forward(ids, batch, ...rest);
  };
  const seen: Array<{ tokensDone: number; work: number }> = [];
  await sampleCached(
    {
      grid,
      window: model.manifest.window,
      cond,
      tokens: [new Int32Array(n)],
      entropy: [new Float32Array(n)],
      region,
      rngs: [new Xoshiro128(3)],
      settings: { temperature: 1, topK: 8, topP: 1 },
      imageVocab: model.manifest.vocab.image,
      stride,
      cancel: NEVER_CANCELLED,
      onChunk: ({ tokensDone }) => {
        seen.push({ tokensDone, work });
      },
    },
    counting,
    { reuseWindowCache: reuse, maxCacheBytes: Number.POSITIVE_INFINITY },
  );
  return seen;
}

describe('planned work and the ETA', () => {
  for (const [stride, withRegion, reuse] of [
    [4, false, true],
    [1, false, true],
    [3, true, true],
    [4, false, false],
  ] as const) {
    it(`plans exactly what the real sampler feeds (stride ${stride}${withRegion ? ', a region' : ''}${reuse ? '' : ', no cache reuse'})`, async () => {
      const grid = { rows: 12, cols: 20 };
      const region = withRegion ? new Uint8Array(240).map((_, i) => ((i % 20) >= 5 && (i % 20) < 13 && i >= 60 && i < 180 ? 1 : 0)) : null;
      const plan = plannedWork('cached', grid, { rows: 4, cols: 4 }, stride, region, reuse) as Float64Array;
      const seen = await measuredWork(stride, region, reuse);
      expect(seen.length).toBeGreaterThan(3);
      for (const s of seen) expect(plan[s.tokensDone]).toBe(s.work);
    });
  }

  it('at a quarter of a 512×256 image (default model: f8, 16×16 window) the ETA is the time left; a token rate said far less', () => {
    const grid = { rows: 32, cols: 64 };
    const plan = plannedWork('cached', grid, { rows: 16, cols: 16 }, 4, null, true) as Float64Array;
    const total = grid.rows * grid.cols;
    // Time as the transformer spends it: proportional to the work fed (1 ms per unit).
    let now = 0;
    const clock = (): number => now;
    const byWork = new ProgressMeter(total, clock, plan);
    const byTokens = new ProgressMeter(total, clock);
    const quarter = total / 4;
    now = plan[quarter] as number;
    const left = ((plan[total] as number) - (plan[quarter] as number)) / 1000;
    expect(byWork.measure(quarter).etaSeconds).toBeCloseTo(left, 6);
    expect(byTokens.measure(quarter).etaSeconds as number).toBeLessThan(0.8 * left);
    // What follows sampling (the final decode) is added when known.
    expect(byWork.measure(quarter, 2.5).etaSeconds).toBeCloseTo(left + 2.5, 6);
  });

  it('the exact sampler costs the same per token: no plan needed', () => {
    expect(plannedWork('exact', { rows: 4, cols: 4 }, { rows: 4, cols: 4 }, 1, null, true)).toBeNull();
  });
});
