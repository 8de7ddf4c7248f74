/**
 * The three transformer graph kinds give the same tokens: the fixture's positions cache graph (past
 * buffers of fixed capacity addressed by position, position_ids + key_valid in, new keys/values out;
 * training/positions_cache_graph.py), the in-place graph 2.1.x bundles ship (past_length instead;
 * tests/engine/fixtures/legacy-in-place-cache) and the classic concat graph older bundles ship
 * (tests/engine/fixtures/legacy-concat-cache), all exported from the same weights. Exact, cached with
 * and without window reuse, and batched seeds; real onnxruntime-node on all three. The parallel
 * sampler needs the positions kind and says so on the others; with a lead of the grid width on a
 * one-window grid it decodes row after row and gives the exact sampler's tokens.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabelMap } from '../../shared/labelmap.ts';
import type { GenerationSettings } from '../../shared/protocol.ts';
import type { Engine } from '../../engine/engine.ts';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import { cleanupBundles, copyFixture, withConcatTransformer, withInPlaceTransformer, type TempBundle } from './support/bundles.ts';
import { FIXTURE_DIR, fixtureManifest, referenceLayouts } from './support/fixture.ts';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const CONCAT = new Uint8Array(readFileSync(path.join(fixtures, 'legacy-concat-cache', 'transformer.onnx')));
const IN_PLACE = new Uint8Array(readFileSync(path.join(fixtures, 'legacy-in-place-cache', 'transformer.onnx')));
let engine: Engine;
let noReuse: Engine;
let concat: TempBundle;
let inPlace: TempBundle;

beforeAll(async () => {
  engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER });
  noReuse = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER, tuning: { reuseWindowCache: false } });
  concat = copyFixture((dir, manifest) => withConcatTransformer(dir, manifest, CONCAT));
  inPlace = copyFixture((dir, manifest) => withInPlaceTransformer(dir, manifest, IN_PLACE));
});
afterAll(async () => {
  await engine.dispose();
  await noReuse.dispose();
  cleanupBundles();
});

let jobs = 0;
async function tokens(on: Engine, model: string, settings: GenerationSettings, seeds?: number[], layout?: LabelMap): Promise<number[]> {
  const l = layout ?? referenceLayouts()[1]?.layout ?? (referenceLayouts()[0]?.layout as never);
  const out = await on.generateWithStats({ jobId: `kinds-${jobs++}`, model, layout: l, settings, ...(seeds ? { seeds } : {}) }, () => undefined);
  return out.results.flatMap((r) => Array.from(r.tokens));
}

describe('KV cache graph kinds', () => {
  it('the fixture ships the positions kind, the legacy copies the in-place and the concat kinds', () => {
    const names = fixtureManifest().tensors.transformer;
    expect([names.positionIds, names.keyValid, names.pastLength]).toEqual(['position_ids', 'key_valid', undefined]);
    expect(inPlace.manifest.tensors.transformer.pastLength).toBe('past_length');
    expect(inPlace.manifest.tensors.transformer.positionIds).toBeUndefined();
    expect(concat.manifest.tensors.transformer.pastLength).toBeUndefined();
  });

  for (const sampler of ['exact', 'cached'] as const) {
    for (const stride of sampler === 'exact' ? [1] : [1, 3]) {
      it(`${sampler} stride ${stride}: positions, in-place and concat graphs give the same tokens (seeded top-k, reuse on and off, 2 seeds batched)`, async () => {
        const settings: GenerationSettings = { seed: 5, temperature: 1, topK: 8, topP: 1, sampler, stride, decodedPreviews: false };
        const want = await tokens(engine, concat.dir, settings, [5, 6]);
        expect(await tokens(engine, inPlace.dir, settings, [5, 6])).toEqual(want);
        expect(await tokens(engine, FIXTURE_DIR, settings, [5, 6])).toEqual(want);
        expect(await tokens(noReuse, FIXTURE_DIR, settings, [5, 6])).toEqual(want);
      });
    }
  }

  it('the parallel sampler refuses the in-place and concat kinds with a message that says what to do', async () => {
    const settings: GenerationSettings = { seed: 5, temperature: 1, topK: 8, topP: 1, sampler: 'parallel', stride: 2, lead: 2, decodedPreviews: false };
    for (const b of [inPlace, concat]) {
      await expect(tokens(engine, b.dir, settings)).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/positions cache.*reexport_transformer/s) });
    }
  });

  it('parallel with a lead of the grid width on a one-window grid gives the exact sampler’s tokens (greedy and seeded top-k)', async () => {
    // 32×32 px = 4×4 tokens = one window of the fixture: row after row, every position in order.
    const data = new Uint8Array(32 * 32);
    for (let i = 0; i < data.length; i++) data[i] = (Math.floor(i / 32 / 8) + Math.floor((i % 32) / 11)) % 4;
    const layout: LabelMap = { width: 32, height: 32, data };
    for (const draw of [{ temperature: 0, topK: 0, topP: 1 }, { temperature: 1, topK: 8, topP: 1 }]) {
      const exact = await tokens(engine, FIXTURE_DIR, { seed: 3, ...draw, sampler: 'exact', stride: 1, decodedPreviews: false }, [3, 4], layout);
      expect(await tokens(engine, FIXTURE_DIR, { seed: 3, ...draw, sampler: 'parallel', stride: 1, lead: 4, decodedPreviews: false }, [3, 4], layout)).toEqual(exact);
    }
  });
});
