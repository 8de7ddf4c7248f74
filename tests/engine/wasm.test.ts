/**
 * The WebAssembly backend (onnxruntime-web in Node: the fallback when the native addon cannot
 * load, and the in-browser runtime) gives the reference tokens too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../engine/engine.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { FIXTURE_DIR, referenceLayouts } from './support/fixture.ts';

let engine: Engine;
beforeAll(() => {
  engine = createNodeEngine({ backend: 'wasm', hashCacheFile: null, logger: SILENT_LOGGER });
});
afterAll(() => engine.dispose());

describe('wasm backend', () => {
  it('loads on WebAssembly and matches the Python reference (greedy exact, seeded cached, seeded parallel)', async () => {
    expect(await engine.loadModel(FIXTURE_DIR, 'wasm')).toMatchObject({ backend: 'wasm' });
    const ref = referenceLayouts()[2]!;
    for (const name of ['exact-greedy', 'cached-stride4-topk8', 'parallel-lead2-topk8']) {
      const c = ref.cases.find((x) => x.name === name)!;
      const out = await engine.generateWithStats(
        { jobId: `wasm-${name}`, model: FIXTURE_DIR, layout: ref.layout, settings: { seed: c.seeds[0]!, ...c.settings, sampler: c.sampler, stride: c.stride, ...(c.lead === undefined ? {} : { lead: c.lead }), decodedPreviews: false }, seeds: c.seeds },
        () => undefined,
      );
      expect(out.results.map((r) => Array.from(r.tokens)), name).toEqual(c.tokens.map((g) => g.flat()));
    }
  });
});
