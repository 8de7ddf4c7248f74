/**
 * The engine against the Python reference sampler (assets/fixtures/tessera-tiny/reference-samples.json,
 * made by training/make_fixture.py with the PyTorch models): identical cond tokens, identical image
 * tokens for the exact sampler (greedy and seeded top-k) and for the cached sampler's strides, with
 * and without window-cache reuse; cached stride 1 equals exact; repeat runs and batching are
 * bit-identical. Real onnxruntime-node, real fixture graphs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationSettings } from '../../shared/protocol.ts';
import type { Engine } from '../../engine/engine.ts';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import { copyFixture } from './support/bundles.ts';
import { FIXTURE_DIR, referenceLayouts, type ReferenceCase } from './support/fixture.ts';

const layouts = referenceLayouts();
let reuse: Engine;
let noReuse: Engine;
// The fixture with defaults.parallelOrder "wavefront": the order is the model's, not the job's.
const wavefront = copyFixture((_dir, m) => ({ ...m, defaults: { ...m.defaults!, parallelOrder: 'wavefront' } }));

beforeAll(async () => {
  reuse = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER });
  noReuse = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER, tuning: { reuseWindowCache: false } });
  await reuse.loadModel(FIXTURE_DIR, 'cpu');
  await noReuse.loadModel(FIXTURE_DIR, 'cpu');
  await reuse.loadModel(wavefront.dir, 'cpu');
});
afterAll(async () => {
  await reuse.dispose();
  await noReuse.dispose();
  wavefront.cleanup();
});

function settingsOf(c: Pick<ReferenceCase, 'settings' | 'sampler' | 'stride' | 'lead'>, seed: number): GenerationSettings {
  return { seed, ...c.settings, sampler: c.sampler, stride: c.stride, ...(c.lead === undefined ? {} : { lead: c.lead }), decodedPreviews: false };
}

let jobs = 0;
async function sample(engine: Engine, layoutIndex: number, c: Pick<ReferenceCase, 'settings' | 'sampler' | 'stride' | 'lead' | 'order'>, seeds: number[]): Promise<number[][]> {
  const l = layouts[layoutIndex]!;
  const model = c.order === 'wavefront' ? wavefront.dir : FIXTURE_DIR;
  const out = await engine.generateWithStats({ jobId: `parity-${jobs++}`, model, layout: l.layout, settings: settingsOf(c, seeds[0]!), seeds }, () => undefined);
  return out.results.map((r) => Array.from(r.tokens));
}

describe.each(layouts.map((l, i) => [l.name, i] as const))('layout %s', (_name, index) => {
  const l = layouts[index]!;

  it('encodes the layout to the reference cond tokens', async () => {
    const model = await reuse.model(FIXTURE_DIR);
    const { tokens } = await model.encodeLayouts([l.layout]);
    expect(Array.from(tokens[0]!)).toEqual(l.condTokens.flat());
  });

  for (const c of l.cases) {
    it(`${c.name}: identical tokens to the Python reference (window reuse on and off)`, async () => {
      const want = c.tokens.map((g) => g.flat());
      expect(await sample(reuse, index, c, c.seeds)).toEqual(want);
      if (c.sampler === 'cached') expect(await sample(noReuse, index, c, c.seeds)).toEqual(want);
    });
  }

  it('cached stride 1 equals exact (greedy and seeded top-k, reuse on and off)', async () => {
    for (const settings of [
      { temperature: 0, topK: 0, topP: 1 },
      { temperature: 1, topK: 8, topP: 1 },
      { temperature: 0.8, topK: 0, topP: 0.9 },
    ]) {
      const exact = await sample(reuse, index, { settings, sampler: 'exact', stride: 1 }, [3]);
      expect(await sample(reuse, index, { settings, sampler: 'cached', stride: 1 }, [3])).toEqual(exact);
      expect(await sample(noReuse, index, { settings, sampler: 'cached', stride: 1 }, [3])).toEqual(exact);
    }
  });
});

describe('determinism', () => {
  it('gives bit-identical tokens, entropies and images for the same seed, settings, model and backend', async () => {
    const l = layouts[0]!;
    const settings: GenerationSettings = { seed: 11, temperature: 1, topK: 0, topP: 0.95, sampler: 'cached', stride: 3, decodedPreviews: true };
    const a = await reuse.generate({ jobId: 'det-a', model: FIXTURE_DIR, layout: l.layout, settings }, () => undefined);
    const b = await reuse.generate({ jobId: 'det-b', model: FIXTURE_DIR, layout: l.layout, settings }, () => undefined);
    expect(Array.from(b.tokens)).toEqual(Array.from(a.tokens));
    expect(Buffer.from(b.entropy.buffer).equals(Buffer.from(a.entropy.buffer))).toBe(true);
    expect(Buffer.from(b.image.rgba).equals(Buffer.from(a.image.rgba))).toBe(true);
  });

  it('a batched sample equals the same seed run alone', async () => {
    const c = { settings: { temperature: 1, topK: 8, topP: 1 }, sampler: 'cached' as const, stride: 4 };
    const batch = await sample(reuse, 2, c, [7, 8, 9]);
    expect(batch[1]).toEqual((await sample(reuse, 2, c, [8]))[0]);
    expect(batch[2]).toEqual((await sample(reuse, 2, c, [9]))[0]);
  });

  it('reports a non-negative entropy for every token, and the model entropy for greedy draws', async () => {
    const l = layouts[1]!;
    const greedy = await reuse.generate({ jobId: 'ent-g', model: FIXTURE_DIR, layout: l.layout, settings: { seed: 0, temperature: 0, topK: 0, topP: 1, sampler: 'cached', stride: 4, decodedPreviews: false } }, () => undefined);
    expect(greedy.entropy.length).toBe(l.tokenRows * l.tokenCols);
    expect(Array.from(greedy.entropy).every((e) => e > 0 && e <= Math.log(32) + 1e-9)).toBe(true);
    const topk1 = await reuse.generate({ jobId: 'ent-k', model: FIXTURE_DIR, layout: l.layout, settings: { seed: 0, temperature: 1, topK: 1, topP: 1, sampler: 'cached', stride: 4, decodedPreviews: false } }, () => undefined);
    expect(Array.from(topk1.entropy).every((e) => e === 0)).toBe(true);
  });
});
