/**
 * The two transformer graph kinds give the same tokens: the fixture's in-place KV cache graph
 * (past buffers of fixed capacity + past_length, new keys/values out; see
 * training/inplace_cache_graph.py) and the classic concat graph older bundles ship
 * (tests/engine/fixtures/legacy-concat-cache, exported from the same weights). Exact, cached with
 * and without window reuse, and batched seeds; real onnxruntime-node on both.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationSettings } from '../../shared/protocol.ts';
import type { Engine } from '../../electron/engine/engine.ts';
import { createNodeEngine } from '../../electron/engine/node/create-node-engine.ts';
import { SILENT_LOGGER } from '../../electron/engine/logger.ts';
import { cleanupBundles, copyFixture, withConcatTransformer, type TempBundle } from './support/bundles.ts';
import { FIXTURE_DIR, fixtureManifest, referenceLayouts } from './support/fixture.ts';

const LEGACY = new Uint8Array(readFileSync(path.join(import.meta.dirname, 'fixtures', 'legacy-concat-cache', 'transformer.onnx')));
let engine: Engine;
let noReuse: Engine;
let legacy: TempBundle;

beforeAll(async () => {
  engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER });
  noReuse = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER, tuning: { reuseWindowCache: false } });
  legacy = copyFixture((dir, manifest) => withConcatTransformer(dir, manifest, LEGACY));
});
afterAll(async () => {
  await engine.dispose();
  await noReuse.dispose();
  cleanupBundles();
});

let jobs = 0;
async function tokens(on: Engine, model: string, settings: GenerationSettings, seeds?: number[]): Promise<number[]> {
  const layout = referenceLayouts()[1]?.layout ?? (referenceLayouts()[0]?.layout as never);
  const out = await on.generateWithStats({ jobId: `kinds-${jobs++}`, model, layout, settings, ...(seeds ? { seeds } : {}) }, () => undefined);
  return out.results.flatMap((r) => Array.from(r.tokens));
}

describe('KV cache graph kinds', () => {
  it('the fixture ships the in-place kind and the legacy copy the concat kind', () => {
    expect(fixtureManifest().tensors.transformer.pastLength).toBe('past_length');
    expect(legacy.manifest.tensors.transformer.pastLength).toBeUndefined();
  });

  for (const sampler of ['exact', 'cached'] as const) {
    for (const stride of sampler === 'exact' ? [1] : [1, 3]) {
      it(`${sampler} stride ${stride}: in-place and concat graphs give the same tokens (seeded top-k, reuse on and off, 2 seeds batched)`, async () => {
        const settings: GenerationSettings = { seed: 5, temperature: 1, topK: 8, topP: 1, sampler, stride, decodedPreviews: false };
        const concat = await tokens(engine, legacy.dir, settings, [5, 6]);
        expect(await tokens(engine, FIXTURE_DIR, settings, [5, 6])).toEqual(concat);
        expect(await tokens(noReuse, FIXTURE_DIR, settings, [5, 6])).toEqual(concat);
      });
    }
  }
});
