/**
 * TransformerRunner feeds zero-capacity past buffers when it prefills an empty in-place cache (the
 * `positions` kind the fixture and the default model ship, and the `in-place` kind of 2.1.x bundles)
 * (nothing in the cache to attend to, so the graph skips the scores against every masked slot).
 * That must change nothing: the logits and the keys/values written into the cache equal, bit for
 * bit, those of the same prefill fed the whole block-sized (empty) buffers, and the next cached
 * step agrees too. On the fixture and on the default model, real onnxruntime-node.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEVER_CANCELLED } from '../../engine/cancel.ts';
import type { Engine } from '../../engine/engine.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import type { LoadedModel } from '../../engine/model/loaded-model.ts';
import { layerName } from '../../engine/model/model-checks.ts';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { expectFloat32, float32Tensor, int64Tensor, type HostTensor } from '../../engine/runtime.ts';
import { cleanupBundles, copyFixture, withInPlaceTransformer } from './support/bundles.ts';
import { FIXTURE_DIR, REPO } from './support/fixture.ts';

const DEFAULT_MODEL = path.join(REPO, 'assets', 'models', 'tessera-landscapes-v1');
let engine: Engine;
beforeAll(() => {
  engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER });
});
afterAll(async () => {
  await engine.dispose();
  cleanupBundles();
});

/** The graph run directly with block-sized zero buffers and nothing valid (past_length 0, or no valid slot): the feed the runner no longer uses. */
async function fullCapacityPrefill(model: LoadedModel, ids: BigInt64Array): Promise<{ logits: Float32Array; keys: Float32Array[]; values: Float32Array[] }> {
  const m = model.manifest;
  const names = m.tensors.transformer;
  const headDim = m.transformer.width / m.transformer.heads;
  const dims = [1, m.transformer.heads, m.transformer.blockSize, headDim];
  const feeds: Record<string, HostTensor> = { [names.inputIds]: int64Tensor(ids, [1, ids.length]) };
  if (names.positionIds !== undefined && names.keyValid !== undefined) {
    feeds[names.positionIds] = int64Tensor(BigInt64Array.from({ length: ids.length }, (_, i) => BigInt(i)), [1, ids.length]);
    feeds[names.keyValid] = int64Tensor(new BigInt64Array(m.transformer.blockSize), [1, m.transformer.blockSize]);
  } else {
    feeds[names.pastLength as string] = int64Tensor(BigInt64Array.of(0n), []);
  }
  for (let i = 0; i < m.transformer.layers; i++) {
    feeds[layerName(names.pastKey, i)] = float32Tensor(new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
    feeds[layerName(names.pastValue, i)] = float32Tensor(new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
  }
  const keyNames = Array.from({ length: m.transformer.layers }, (_, i) => layerName(names.presentKey, i));
  const valueNames = Array.from({ length: m.transformer.layers }, (_, i) => layerName(names.presentValue, i));
  const out = await model.transformerSession.run(feeds, [names.logits, ...keyNames, ...valueNames]);
  return {
    logits: expectFloat32(out[names.logits], 'logits'),
    keys: keyNames.map((n) => expectFloat32(out[n], n)),
    values: valueNames.map((n) => expectFloat32(out[n], n)),
  };
}

describe('prefill into an empty in-place cache', () => {
  const legacy = (): string => copyFixture((dir, manifest) => withInPlaceTransformer(dir, manifest, new Uint8Array(readFileSync(path.join(import.meta.dirname, 'fixtures', 'legacy-in-place-cache', 'transformer.onnx'))))).dir;
  for (const [name, dir, kind] of [
    ['fixture', (): string => FIXTURE_DIR, 'positions'],
    ['default model', (): string => DEFAULT_MODEL, 'positions'],
    ['fixture with the 2.1.x in-place graph', legacy, 'in-place'],
  ] as const) {
    it(`${name}: zero-capacity feed = block-sized feed, bit for bit (logits, cached keys/values, the next step)`, async () => {
      const model = await engine.model(dir());
      const m = model.manifest;
      expect(model.transformer.cacheKind).toBe(kind);
      const n = m.window.rows * m.window.cols;
      const ids = BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 7) % m.vocab.cond));
      const expected = await fullCapacityPrefill(model, ids);
      const got = await model.transformer.forward(ids, 1, null, true, NEVER_CANCELLED);
      expect(Buffer.from(got.logits.buffer, got.logits.byteOffset, got.logits.byteLength).equals(Buffer.from(expected.logits.buffer, expected.logits.byteOffset, expected.logits.byteLength))).toBe(true);
      const cache = got.cache;
      if (!cache) throw new Error('no cache');
      const headDim = m.transformer.width / m.transformer.heads;
      for (let layer = 0; layer < m.transformer.layers; layer++) {
        for (let h = 0; h < m.transformer.heads; h++) {
          const slots = (cache.keys[layer] as Float32Array).subarray(h * cache.capacity * headDim, (h * cache.capacity + n) * headDim);
          expect(Array.from(slots)).toEqual(Array.from((expected.keys[layer] as Float32Array).subarray(h * n * headDim, (h + 1) * n * headDim)));
          const vslots = (cache.values[layer] as Float32Array).subarray(h * cache.capacity * headDim, (h * cache.capacity + n) * headDim);
          expect(Array.from(vslots)).toEqual(Array.from((expected.values[layer] as Float32Array).subarray(h * n * headDim, (h + 1) * n * headDim)));
        }
      }
      // The step after it reads the cache the prefill wrote: the same logits as one full forward over n + 1 positions.
      const step = await model.transformer.forward(BigInt64Array.of(3n), 1, cache, true, NEVER_CANCELLED);
      const whole = await model.transformer.forward(BigInt64Array.from([...ids, 3n]), 1, null, false, NEVER_CANCELLED);
      const last = whole.logits.subarray(n * model.transformer.vocabSize);
      const maxDiff = step.logits.reduce((d, v, i) => Math.max(d, Math.abs(v - (last[i] as number))), 0);
      expect(maxDiff).toBeLessThan(1e-3);
    });
  }
});
