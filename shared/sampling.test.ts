import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Xoshiro128 } from './prng.ts';
import { drawToken, type SamplingSettings } from './sampling.ts';

interface Vectors {
  prng: Array<{ seed: number; uint32: number[]; doubles: number[] }>;
  draws: Array<{ settings: SamplingSettings; seed: number; logits: number[]; tokens: number[] }>;
}
const vectors = JSON.parse(readFileSync(new URL('./testdata/sampling-vectors.json', import.meta.url), 'utf8')) as Vectors;

describe('Xoshiro128 PRNG', () => {
  it('reproduces the committed vectors (which the Python side replays too)', () => {
    for (const v of vectors.prng) {
      const rng = new Xoshiro128(v.seed);
      expect(Array.from({ length: 8 }, () => rng.nextUint32())).toEqual(v.uint32);
      expect(Array.from({ length: 4 }, () => rng.nextDouble())).toEqual(v.doubles);
    }
  });

  it('gives uniform doubles in [0, 1) and different streams per seed', () => {
    // Structural properties: doubles lie in [0,1), are roughly uniform, and seeds give different streams.
    const a = new Xoshiro128(1);
    const b = new Xoshiro128(2);
    const xs = Array.from({ length: 1000 }, () => a.nextDouble());
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(a.nextUint32()).not.toBe(b.nextUint32());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });

  it('rejects seeds outside 32 bits instead of wrapping them', () => {
    expect(() => new Xoshiro128(2 ** 32)).toThrow(/seed must be an integer in 0\.\.4294967295/);
    expect(() => new Xoshiro128(-1)).toThrow(RangeError);
    expect(() => new Xoshiro128(1.5)).toThrow(RangeError);
  });
});

describe('drawToken', () => {
  it('reproduces the committed draws', () => {
    for (const d of vectors.draws) {
      const rng = new Xoshiro128(d.seed);
      const scratch = new Float64Array(d.logits.length);
      const tokens = Array.from({ length: d.tokens.length }, () => drawToken(Float32Array.from(d.logits), 0, d.logits.length, d.settings, rng, scratch).token);
      expect(tokens).toEqual(d.tokens);
    }
  });

  const logits = Float32Array.from([0, 1, 5, 4.5, -2, 5]);
  const scratch = new Float64Array(logits.length);

  it('is greedy at temperature 0 (lowest index on ties) and draws no random number', () => {
    const rng = new Xoshiro128(3);
    const before = new Xoshiro128(3).nextUint32();
    expect(drawToken(logits, 0, logits.length, { temperature: 0, topK: 0, topP: 1 }, rng, scratch)).toEqual({ token: 2, entropy: 0 });
    expect(rng.nextUint32()).toBe(before);
  });

  it('never draws outside top-k, nor outside the top-p nucleus', () => {
    const rng = new Xoshiro128(9);
    for (let i = 0; i < 500; i++) {
      expect([2, 5]).toContain(drawToken(logits, 0, logits.length, { temperature: 1, topK: 2, topP: 1 }, rng, scratch).token);
      expect([2, 3, 5]).toContain(drawToken(logits, 0, logits.length, { temperature: 1, topK: 0, topP: 0.8 }, rng, scratch).token);
    }
  });

  it('only considers the first `count` logits (the image codebook) and honours the offset', () => {
    const wide = Float32Array.from([9, 9, 0, 0, 100]);
    const rng = new Xoshiro128(1);
    for (let i = 0; i < 100; i++) expect(drawToken(wide, 2, 2, { temperature: 1, topK: 0, topP: 1 }, rng, scratch).token).toBeLessThan(2);
  });

  it('reports the entropy of the distribution it drew from', () => {
    const uniform = new Float32Array(4);
    const draw = drawToken(uniform, 0, 4, { temperature: 1, topK: 0, topP: 1 }, new Xoshiro128(0), scratch);
    expect(draw.entropy).toBeCloseTo(Math.log(4), 12);
  });
});
