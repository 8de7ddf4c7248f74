/**
 * `npm run bench:threads -- [--model ID|PATH] [--pairs 6]`: how many intra-op threads the
 * transformer step and the image decoder want on this machine, and whether decoding previews
 * *beside* sampling (a second session on the other core) beats decoding them between chunks.
 *
 * On a shared box the load drifts more than these effects, so nothing is compared across minutes:
 * the kernels alternate call by call (1 thread, 2 threads, 1, 2, …) and the whole-image variants
 * run in adjacent pairs whose ratio is taken before the median. Every figure is printed with the
 * 1-minute load average right after it. Results: bench/results/*-threads.json.
 *
 * The image case: a 16×16-token generation (decoded previews off) plus K decodes of a 12×12-token
 * preview tile, K chosen so decoding is ~25 % of sampling on 2 threads (the engine's preview
 * budget). "serial": one engine on 2 threads samples, then decodes (what the engine does between
 * chunks). "beside": one engine samples while a second engine's decoder session decodes at the same
 * time (onnxruntime-node runs each session's `run` off the JS thread, so they overlap), both on 1
 * thread (1+1) or both on 2 (2+2, oversubscribed).
 */
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { NEVER_CANCELLED } from '../engine/cancel.ts';
import type { Engine } from '../engine/engine.ts';
import { SILENT_LOGGER } from '../engine/logger.ts';
import type { LoadedModel } from '../engine/model/loaded-model.ts';
import type { KvCache } from '../engine/model/transformer.ts';
import { REPO_ROOT } from '../engine/node/bundle-catalog.ts';
import { createNodeEngine } from '../engine/node/create-node-engine.ts';
import { median } from '../electron/cli/bench/first-preview.ts';
import { benchLayout } from '../electron/cli/bench/layouts.ts';
import { formatLoad, load1, loadAverages } from '../electron/cli/bench/load.ts';
import { writeFileAtomic } from '../electron/cli/support/files.ts';

interface Figure {
  what: string;
  variant: string;
  ms: number;
  load: number;
}

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] !== undefined ? (args[at + 1] as string) : fallback;
};
const modelRef = arg('--model', path.join(REPO_ROOT, 'assets', 'models', 'tessera-landscapes-v1'));
const pairs = Number(arg('--pairs', '6'));
const KERNEL_CALLS = 30;
const TILE = 12;

const figures: Figure[] = [];
const note = (what: string, variant: string, ms: number): void => {
  const f = { what, variant, ms, load: load1() };
  figures.push(f);
  console.log(`${what.padEnd(46)} ${variant.padEnd(22)} ${ms.toFixed(1).padStart(9)} ms  (${formatLoad(f.load)})`);
};

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Alternates `a` and `b` call by call; returns the medians. */
async function alternate(calls: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[number, number]> {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < calls; i++) {
    ta.push(await timed(a));
    tb.push(await timed(b));
  }
  return [median(ta), median(tb)];
}

const engines = new Map<string, Engine>();
const engineFor = (threads: number, role: 'sampler' | 'decoder' = 'sampler'): Engine => {
  const key = `${role}-${threads}`;
  let e = engines.get(key);
  if (!e) {
    e = createNodeEngine({ backend: 'cpu', threads, logger: SILENT_LOGGER, modelDirs: [] });
    engines.set(key, e);
  }
  return e;
};
const modelOf = (threads: number, role: 'sampler' | 'decoder' = 'sampler'): Promise<LoadedModel> => engineFor(threads, role).model(modelRef);

async function kernels(): Promise<void> {
  const [one, two] = [await modelOf(1), await modelOf(2)];
  const m = one.manifest;
  const n = m.window.rows * m.window.cols;
  const prefillIds = BigInt64Array.from({ length: n }, (_, i) => BigInt(i % m.vocab.cond));
  const [p1, p2] = await alternate(
    6,
    () => one.transformer.forward(prefillIds, 1, null, true, NEVER_CANCELLED),
    () => two.transformer.forward(prefillIds, 1, null, true, NEVER_CANCELLED),
  );
  note(`transformer prefill ${n} positions`, '1 thread', p1);
  note(`transformer prefill ${n} positions`, '2 threads', p2);
  // Single-token steps on a cache of n + 64 positions (a typical mid-window step).
  const base = BigInt64Array.from({ length: n + 64 }, (_, i) => BigInt(i % m.vocab.cond));
  const caches = new Map<LoadedModel, KvCache>();
  for (const model of [one, two]) caches.set(model, (await model.transformer.forward(base, 1, null, true, NEVER_CANCELLED)).cache as KvCache);
  const step = (model: LoadedModel) => async (): Promise<void> => {
    const cache = caches.get(model) as KvCache;
    cache.length = n + 64; // rewind: every timed step runs at the same position
    await model.transformer.forward(BigInt64Array.of(5n), 1, cache, true, NEVER_CANCELLED);
  };
  const [s1, s2] = await alternate(KERNEL_CALLS, step(one), step(two));
  note(`transformer step at P=${n + 64}`, '1 thread', s1);
  note(`transformer step at P=${n + 64}`, '2 threads', s2);
  const full = new Int32Array(32 * 32).map((_, i) => (i * 37) % m.vocab.image);
  const [f1, f2] = await alternate(3, () => one.decodeTokens([full], { rows: 32, cols: 32 }), () => two.decodeTokens([full], { rows: 32, cols: 32 }));
  note('decoder 32×32 tokens (a 256 px final image)', '1 thread', f1);
  note('decoder 32×32 tokens (a 256 px final image)', '2 threads', f2);
  const tile = full.subarray(0, TILE * TILE);
  const [t1, t2] = await alternate(8, () => one.decodeTokens([tile], { rows: TILE, cols: TILE }), () => two.decodeTokens([tile], { rows: TILE, cols: TILE }));
  note(`decoder ${TILE}×${TILE}-token preview tile`, '1 thread', t1);
  note(`decoder ${TILE}×${TILE}-token preview tile`, '2 threads', t2);
}

async function sampleImage(engine: Engine, jobId: string): Promise<void> {
  const m = (await engine.model(modelRef)).manifest;
  const side = m.window.rows;
  const layout = benchLayout(side * m.gridFactor, side * m.gridFactor, m.classes.length);
  await engine.generateWithStats({ jobId, model: modelRef, layout, settings: { seed: 7, temperature: 1, topK: 100, topP: 1, sampler: 'cached', stride: m.window.cols, decodedPreviews: false } }, () => undefined);
}

async function decodeTiles(model: LoadedModel, count: number): Promise<void> {
  const tile = new Int32Array(TILE * TILE).map((_, i) => (i * 37) % model.manifest.vocab.image);
  for (let i = 0; i < count; i++) await model.decodeTokens([tile], { rows: TILE, cols: TILE });
}

async function imagePairs(): Promise<void> {
  const serial = engineFor(2);
  const sampleMs = median([await timed(() => sampleImage(serial, 'cal-1')), await timed(() => sampleImage(serial, 'cal-2'))]);
  const tileMs = median([await timed(() => decodeTiles(modelOfSync(2), 1)), await timed(() => decodeTiles(modelOfSync(2), 1))]);
  const tiles = Math.max(1, Math.round((0.25 * sampleMs) / tileMs));
  console.log(`calibration: sampling ${sampleMs.toFixed(0)} ms, one tile ${tileMs.toFixed(0)} ms (2 threads) → ${tiles} tile(s) per image`);
  const variants: Array<[string, () => Promise<unknown>]> = [
    ['serial, 2 threads', () => sampleImage(serial, 'serial').then(() => decodeTiles(modelOfSync(2), tiles))],
    ['serial, 1 thread', () => sampleImage(engineFor(1), 'serial-1').then(() => decodeTiles(modelOfSync(1), tiles))],
    ['beside, 1+1 threads', () => Promise.all([sampleImage(engineFor(1), 'beside-1'), decodeTiles(modelOfSync(1, 'decoder'), tiles)])],
    ['beside, 2+2 threads', () => Promise.all([sampleImage(engineFor(2), 'beside-2'), decodeTiles(modelOfSync(2, 'decoder'), tiles)])],
    // Without previews: what the previews cost in each arrangement.
    ['sampling only, 2 threads', () => sampleImage(serial, 'plain')],
    ['sampling only, 1 thread', () => sampleImage(engineFor(1), 'plain-1')],
  ];
  const ratios = new Map<string, number[]>();
  for (let p = 1; p <= pairs; p++) {
    const times = new Map<string, number>();
    for (const [name, run] of variants) {
      const ms = await timed(run);
      times.set(name, ms);
      note(`image + ${tiles} tile(s), pair ${p}`, name, ms);
    }
    const ref = times.get('serial, 2 threads') as number;
    for (const [name, ms] of times) ratios.set(name, [...(ratios.get(name) ?? []), ms / ref]);
  }
  for (const [name, r] of ratios) console.log(`median ratio to serial: ${name.padEnd(26)} ${median(r).toFixed(2)} (pairs: ${r.map((v) => v.toFixed(2)).join(' ')})`);
}

// Loaded up front, so the pair loop can pick them without awaiting between the timed parts.
const loaded = new Map<string, LoadedModel>();
const modelOfSync = (threads: number, role: 'sampler' | 'decoder' = 'sampler'): LoadedModel => loaded.get(`${role}-${threads}`) as LoadedModel;

const loadAtStart = loadAverages();
console.log(`model ${modelRef} · ${os.availableParallelism()} cores · load average at start ${loadAtStart.join(' ')}${loadAtStart[0] > 0.3 ? ' — NOT idle' : ''}`);
for (const t of [1, 2]) {
  for (const role of ['sampler', 'decoder'] as const) {
    await engineFor(t, role).loadModel(modelRef, 'cpu');
    loaded.set(`${role}-${t}`, await modelOf(t, role));
    await sampleImage(engineFor(t, role), `warm-${role}-${t}`); // onnxruntime's lazy initialisation
  }
}
await kernels();
await imagePairs();
const out = path.join(REPO_ROOT, 'bench', 'results', `${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}-threads.json`);
await writeFileAtomic(out, `${JSON.stringify({ model: modelRef, loadAtStart, loadAtEnd: loadAverages(), pairs, figures }, null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), out)}`);
for (const e of engines.values()) await e.dispose();
