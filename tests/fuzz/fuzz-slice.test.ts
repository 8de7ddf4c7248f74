/**
 * The bad-input corpus in `npm test`: its fast slice (~100 cases, one per category of every door
 * first) through the same runner as `npm run fuzz -- --slice fast`, which must handle every case;
 * and the corpus itself: seeded, so the same seed gives byte-identical cases. docs/RELIABILITY.md
 * describes the doors, the verdicts and the full run.
 */
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildCorpus, cliSample, corpusDigest, DEFAULT_SEED, fastSlice } from '../../scripts/fuzz/corpus.ts';
import { zlibZeros } from '../../scripts/fuzz/png-bytes.ts';
import { renderSummary } from '../../scripts/fuzz/report.ts';
import { runFuzz } from '../../scripts/fuzz/runner.ts';
import { DOORS } from '../../scripts/fuzz/types.ts';

describe('the bad-input corpus', () => {
  it('has at least 1,000 cases across every door, and the same seed gives the same bytes', () => {
    const a = buildCorpus(DEFAULT_SEED);
    expect(a.cases.length).toBeGreaterThanOrEqual(1000);
    for (const door of DOORS) expect(a.cases.filter((c) => c.door === door).length, door).toBeGreaterThanOrEqual(100);
    expect(new Set(a.cases.map((c) => c.id)).size).toBe(a.cases.length);
    expect(corpusDigest(buildCorpus(DEFAULT_SEED).cases)).toBe(corpusDigest(a.cases));
    // Each door draws from its own stream: built alone, a door is the same; another seed changes it.
    const ipc = corpusDigest(buildCorpus(DEFAULT_SEED, ['ipc']).cases);
    expect(ipc).toBe(corpusDigest(a.cases.filter((c) => c.door === 'ipc')));
    expect(corpusDigest(buildCorpus(DEFAULT_SEED + 1, ['ipc']).cases)).not.toBe(ipc);
    // Every category of the CLI doors reaches a real process at least once.
    const sample = cliSample(a);
    for (const c of a.cases.filter((x) => x.door === 'png' || x.door === 'bundle')) {
      expect(a.cases.some((x) => x.door === c.door && x.category === c.category && sample.has(x.id)), `${c.door}/${c.category}`).toBe(true);
    }
    expect(fastSlice(a).size).toBe(100);
  }, 120_000);

  it('builds decompression bombs that inflate to exactly the zeros they claim', () => {
    for (const n of [1, 257, 258, 259, 516, 100_003]) {
      const out = inflateSync(zlibZeros(n));
      expect(out.length).toBe(n);
      expect(out.every((b) => b === 0)).toBe(true);
    }
    expect(zlibZeros(1024 * 1024 * 1024).length).toBeLessThan(1100 * 1024);
  });
});

describe('the fast slice', () => {
  it('handles every case: no crash, hang, partial file, memory over its ceiling or unclear error', async () => {
    const summary = await runFuzz({ seed: DEFAULT_SEED, slice: 'fast', log: () => undefined });
    const text = renderSummary(summary);
    console.log(text);
    expect(summary.cases).toBeGreaterThanOrEqual(90);
    expect(summary.results.filter((r) => r.verdict !== 'handled').map((r) => `${r.verdict} ${r.id} [${r.via}]: ${r.detail}`)).toEqual([]);
  }, 240_000);
});
