/**
 * The cached sampler's window caches (engine/sampler/window-caches.ts) on the fixture's
 * real transformer: dropping the caches no later chunk can use computes exactly what keeping every
 * cache does (same tokens, entropies, forwards and positions) with far fewer bytes held, and a
 * byte budget only costs prefills, never tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkSchedule } from '../../shared/grid.ts';
import { Xoshiro128 } from '../../shared/prng.ts';
import { NEVER_CANCELLED } from '../../engine/cancel.ts';
import type { Engine } from '../../engine/engine.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { sampleCached, type CachedOptions } from '../../engine/sampler/cached.ts';
import { nextWindowUses, windowKey } from '../../engine/sampler/window-caches.ts';
import { FIXTURE_DIR } from './support/fixture.ts';

let engine: Engine;
beforeAll(() => {
  engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER });
});
afterAll(() => engine.dispose());

// 20×12 tokens (160×96 px) under the fixture's 4×4 window: bands of classes.
const layout = { width: 160, height: 96, data: new Uint8Array(160 * 96).map((_, i) => (Math.floor(i / 160 / 24) + Math.floor((i % 160) / 40)) % 4) };

async function sample(options: CachedOptions, stride: number, region: Uint8Array | null = null) {
  const model = await engine.model(FIXTURE_DIR);
  const { grid, tokens: cond } = await model.encodeLayouts([layout]);
  const n = grid.rows * grid.cols;
  const tokens = [new Int32Array(n)];
  const entropy = [new Float32Array(n)];
  const stats = await sampleCached(
    {
      grid,
      window: model.manifest.window,
      cond,
      tokens,
      entropy,
      region,
      rngs: [new Xoshiro128(4)],
      settings: { temperature: 1, topK: 8, topP: 1 },
      imageVocab: model.manifest.vocab.image,
      stride,
      cancel: NEVER_CANCELLED,
      onChunk: () => undefined,
    },
    model.transformer,
    options,
  );
  const entryBytes = model.transformer.cacheBytes({ batch: 1, length: 0, capacity: model.manifest.transformer.blockSize, keys: [], values: [] });
  return { tokens: Array.from(tokens[0]!), entropy: Buffer.from(entropy[0]!.buffer), stats, entryBytes };
}

const UNLIMITED = Number.POSITIVE_INFINITY;

describe('window caches', () => {
  it('knows each chunk’s next chunk in the same window', () => {
    const chunks = chunkSchedule({ rows: 6, cols: 8 }, { rows: 4, cols: 4 }, 2);
    const next = nextWindowUses(chunks, () => true);
    chunks.forEach((c, i) => {
      const later = chunks.findIndex((d, j) => j > i && windowKey(d) === windowKey(c));
      expect(next[i]).toBe(later === -1 ? Infinity : later);
    });
    // A chunk that samples nothing neither uses its window nor counts as a use.
    const skipping = nextWindowUses(chunks, (i) => i !== 4);
    expect(skipping[4]).toBe(Infinity);
    expect(skipping[chunks.findIndex((c, i) => i < 4 && windowKey(c) === windowKey(chunks[4]!))]).not.toBe(4);
  });

  for (const stride of [1, 3]) {
    it(`stride ${stride}: dropping unusable windows changes nothing computed and holds fewer bytes`, async () => {
      const kept = await sample({ reuseWindowCache: true, maxCacheBytes: UNLIMITED, dropUnusableWindows: false }, stride);
      const dropped = await sample({ reuseWindowCache: true, maxCacheBytes: UNLIMITED }, stride);
      expect(dropped.tokens).toEqual(kept.tokens);
      expect(dropped.entropy.equals(kept.entropy)).toBe(true);
      expect(dropped.stats.forwards).toBe(kept.stats.forwards);
      expect(dropped.stats.positions).toBe(kept.stats.positions);
      expect(dropped.stats.peakCacheBytes).toBeLessThan(kept.stats.peakCacheBytes!);
      // At most one row's windows (20 − 4 + 1 distinct placements), and the one just finished.
      expect(dropped.stats.peakCacheBytes).toBeLessThanOrEqual((20 - 4 + 2) * dropped.entryBytes);
    });
  }

  it('a byte budget costs prefills, not tokens', async () => {
    const free = await sample({ reuseWindowCache: true, maxCacheBytes: UNLIMITED }, 1);
    const tight = await sample({ reuseWindowCache: true, maxCacheBytes: 3 * free.entryBytes }, 1);
    expect(tight.tokens).toEqual(free.tokens);
    expect(tight.stats.positions).toBeGreaterThan(free.stats.positions);
    expect(tight.stats.peakCacheBytes).toBeLessThanOrEqual(4 * free.entryBytes);
  });

  it('with an inpainting region, dropping unusable windows changes nothing computed either', async () => {
    const region = new Uint8Array(20 * 12).map((_, i) => (i % 20 >= 6 && i % 20 < 13 && Math.floor(i / 20) >= 3 ? 1 : 0));
    const kept = await sample({ reuseWindowCache: true, maxCacheBytes: UNLIMITED, dropUnusableWindows: false }, 2, region);
    const dropped = await sample({ reuseWindowCache: true, maxCacheBytes: UNLIMITED }, 2, region);
    expect(dropped.tokens).toEqual(kept.tokens);
    expect(dropped.stats.positions).toBe(kept.stats.positions);
  });
});
