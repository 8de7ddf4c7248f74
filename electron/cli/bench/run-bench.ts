/**
 * The benchmark behind `npm run bench` and `tessera bench`.
 *
 * Honest by construction:
 *  - the engine and the Python reference (PyTorch eager) run interleaved in one process tree
 *    (reference, engine, engine without window reuse; round after round), so a change in the
 *    machine's load hits both sides alike; ratios come from the medians of those rounds;
 *  - both sides get the same thread count: onnxruntime's intra-op pool, torch.set_num_threads and
 *    the BLAS/OpenMP pool variables of the reference process;
 *  - every figure carries the 1-minute load average taken right after it, and a run that starts
 *    above IDLE_LOAD_MAX says it is not an idle run (and still runs);
 *  - the first-preview figure is cold: a layout the engine has not seen, each run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { encodeIndexPng, type LabelMap } from '../../../shared/labelmap.ts';
import type { Manifest } from '../../../shared/manifest.ts';
import { DEFAULT_LEAD } from '../../../shared/parallel-schedule.ts';
import type { Backend, GenerationSettings, SamplerName } from '../../../shared/protocol.ts';
import type { Engine } from '../../../engine/engine.ts';
import { createNodeEngine, stderrLogger } from '../../../engine/node/create-node-engine.ts';
import { writeFileAtomic } from '../support/files.ts';
import { measureFirstPreview, median } from './first-preview.ts';
import { benchLayout } from './layouts.ts';
import { checkIdle, formatLoad, load1, loadAverages } from './load.ts';
import { runReference, threadEnv } from './reference-run.ts';
import { BENCH_REPORT_FORMAT, BenchReportSchema, type BenchReport, type BenchRow, type Comparison, type InterleavedRun } from './report.ts';
import { runWorkflowBench } from './workflow-bench.ts';

export interface BenchOptions {
  model: string;
  backend: Backend;
  /** Token grid sides to measure; the first is the comparison grid, the largest the first-preview grid. */
  sizes: number[];
  /** Seeds batched together in the batching measurement (1 = skip). */
  batch: number;
  /** Runs per engine row (the fastest counts). */
  repeat: number;
  /** Interleaved engine/reference rounds. */
  rounds: number;
  python: string | null;
  outDir: string;
  /** Largest grid (in tokens) the exact sampler is run on. */
  exactMaxTokens: number;
  /** Cached sampler stride for the rows and the comparison (default: the window width). */
  stride?: number;
  /** Parallel sampler lead for its rows and its runs in the comparison (default: the model's, else DEFAULT_LEAD). */
  lead?: number;
  /** onnxruntime intra-op threads = torch threads = BLAS/OpenMP pool size of the reference. */
  threads: number;
  /** quick: no exact, batch or workflow rows, fewer first-preview runs (bench/gpu-check.sh, tests). */
  profile: 'full' | 'quick';
}

const SEED = 7;

export async function runBench(options: BenchOptions, log: (line: string) => void): Promise<{ report: BenchReport; file: string }> {
  const idle = checkIdle(loadAverages());
  log(`load average at start: ${idle.loadAtStart.join(' ')}${idle.idle ? ' (idle)' : ''}; threads: ${options.threads} for the engine and the reference`);
  if (idle.warning) log(`WARNING: ${idle.warning}`);
  const engineOptions = { backend: options.backend, threads: options.threads, logger: stderrLogger(), maxCanvas: { width: 8192, height: 8192 } };
  const engine = createNodeEngine({ ...engineOptions, tuning: {} });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-'));
  try {
    const info = await engine.loadModel(options.model, options.backend);
    const m = (await engine.model(options.model)).manifest;
    const stride = Math.min(m.window.cols, options.stride ?? m.window.cols);
    const lead = options.lead ?? m.defaults?.lead ?? DEFAULT_LEAD;
    const settings = settingsFor(m, stride, lead);
    const layoutOf = (side: number): LabelMap => benchLayout(side * m.gridFactor, side * m.gridFactor, m.classes.length);
    const rows: BenchRow[] = [];
    const row = async (name: string, side: number, s: GenerationSettings, seeds: number[], repeat = options.repeat): Promise<BenchRow> => {
      let best: BenchRow | null = null;
      for (let r = 0; r < repeat; r++) {
        const run = withoutTokens(await engineRow(engine, options.model, name, side, layoutOf(side), s, seeds, true));
        if (!best || run.samplingSeconds < best.samplingSeconds) best = run;
      }
      const done = best as BenchRow;
      rows.push(done);
      log(`  ${done.name.padEnd(26)} ${done.grid.padEnd(7)} ${done.tokensPerSecond.toFixed(1).padStart(8)} tok/s  ${done.samplingSeconds.toFixed(2)} s sampling, ${done.totalSeconds.toFixed(2)} s total  (${formatLoad(done.load)})`);
      return done;
    };

    // Warm-up: the first run pays for onnxruntime's lazy initialisation.
    await engineRow(engine, options.model, 'warm-up', m.window.rows, layoutOf(m.window.rows), settings('cached', SEED), [SEED], false);
    const quick = options.profile === 'quick';
    const bySize = new Map<number, { cached: BenchRow; exact: BenchRow | null }>();
    const defaults = m.defaults;
    for (const side of options.sizes) {
      const cached = await row(`cached s${stride}`, side, settings('cached', SEED), [SEED]);
      await row(`parallel L${lead}`, side, settings('parallel', SEED), [SEED]);
      const exact = !quick && side * side <= options.exactMaxTokens ? await row('exact', side, settings('exact', SEED), [SEED], 1) : null;
      bySize.set(side, { cached, exact });
      const defaultsDiffer = defaults !== undefined && (defaults.sampler === 'cached' ? defaults.stride !== stride : defaults.sampler === 'parallel' ? (defaults.lead ?? DEFAULT_LEAD) !== lead : true);
      if (defaults && defaultsDiffer && (defaults.sampler !== 'exact' || (!quick && side * side <= options.exactMaxTokens))) {
        const name = defaults.sampler === 'exact' ? 'model defaults: exact' : defaults.sampler === 'parallel' ? `model defaults: parallel L${defaults.lead ?? DEFAULT_LEAD}` : `model defaults: cached s${defaults.stride}`;
        const base = settings(defaults.sampler, SEED);
        await row(name, side, { ...base, stride: defaults.sampler === 'cached' ? defaults.stride : base.stride, ...(defaults.sampler === 'parallel' ? { lead: defaults.lead ?? DEFAULT_LEAD } : {}) }, [SEED], 1);
      }
    }
    const compareSide = options.sizes[0] as number;
    if (!quick && options.batch > 1) await row(`cached s${stride} batch ${options.batch}`, compareSide, settings('cached', SEED), Array.from({ length: options.batch }, (_, i) => SEED + i), 1);

    const previewSide = Math.max(...options.sizes);
    const firstPreview = await measureFirstPreview(engine, { modelRef: options.model, side: previewSide, gridFactor: m.gridFactor, classCount: m.classes.length, settings: settings('cached', SEED), runs: quick ? 2 : 5 }, log);
    const workflows = quick ? null : await runWorkflowBench(engine, options.model, m.classes.length, settings('cached', SEED), Math.max(2, options.batch), log);
    // Before the comparison starts a second engine (without window reuse) in this process.
    const enginePeakRssMb = process.resourceUsage().maxRSS / 1024;

    const comparison = options.python ? await compareWithReference(engine, engineOptions, { ...options, python: options.python }, info.path, layoutOf(compareSide), compareSide, settings('cached', SEED), lead, tmp, log) : null;

    const report: BenchReport = {
      format: BENCH_REPORT_FORMAT,
      date: new Date().toISOString(),
      profile: options.profile,
      model: { id: info.id, version: info.version, path: info.path },
      backend: info.backend ?? options.backend,
      backendNote: info.backendNote ?? null,
      machine: { cpus: os.availableParallelism(), cpuModel: os.cpus()[0]?.model ?? '?', node: process.version, platform: `${process.platform}-${process.arch}` },
      threads: { engineIntraOp: options.threads, reference: options.threads, referenceEnv: threadEnv(options.threads) },
      load: { atStart: idle.loadAtStart, atEnd: loadAverages(), idle: idle.idle, warning: idle.warning },
      rows,
      comparison,
      firstPreview,
      workflows,
      summary: summarise(rows, bySize, compareSide, comparison, firstPreview.medianMs, enginePeakRssMb, options.batch),
    };
    BenchReportSchema.parse(report);
    const file = path.join(options.outDir, `${report.date.slice(0, 19).replace(/[:T]/g, '-')}-${info.id}-${report.backend}.json`);
    await writeFileAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${path.relative(process.cwd(), file)}`);
    return { report, file };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await engine.dispose();
  }
}

/** The model's sampling settings (temperature, top-k, top-p) with the given sampler; exact runs at stride 1, parallel with `lead`. */
function settingsFor(m: Manifest, stride: number, lead: number): (sampler: SamplerName, seed: number) => GenerationSettings {
  return (sampler, seed) => ({
    seed,
    temperature: m.defaults?.temperature ?? 1,
    topK: m.defaults?.topK ?? Math.min(100, m.vocab.image),
    topP: m.defaults?.topP ?? 1,
    sampler,
    stride: sampler === 'exact' ? 1 : stride,
    ...(sampler === 'parallel' ? { lead } : {}),
    decodedPreviews: true,
  });
}

async function engineRow(engine: Engine, model: string, name: string, side: number, layout: LabelMap, s: GenerationSettings, seeds: number[], reuse: boolean): Promise<BenchRow & { result: Uint16Array }> {
  const started = performance.now();
  const outcome = await engine.generateWithStats({ jobId: `bench-${name}-${side}`, model, layout, settings: s, seeds }, () => undefined);
  const totalSeconds = (performance.now() - started) / 1000;
  const samplingSeconds = outcome.stats.samplingMs / 1000;
  const tokens = side * side * seeds.length;
  return {
    name,
    grid: `${side}×${side}`,
    sampler: s.sampler,
    stride: s.stride,
    ...(s.lead === undefined ? {} : { lead: s.lead }),
    reuseWindowCache: reuse,
    batch: seeds.length,
    tokens,
    samplingSeconds,
    totalSeconds,
    tokensPerSecond: tokens / samplingSeconds,
    previewDecodes: outcome.stats.previewDecodes,
    firstPreviewMs: outcome.stats.firstPreviewMs,
    forwards: outcome.stats.forwards,
    positions: outcome.stats.positions,
    load: load1(),
    result: outcome.results[0]?.tokens ?? new Uint16Array(0),
  };
}

/**
 * Rounds of: the reference's cached sampler, the engine's cached sampler (same settings and seed),
 * the engine's cached sampler without window reuse (the reference's forwards: each chunk prefills),
 * and the engine's parallel sampler (same layout, seed and draw settings; its own tokens, so it is
 * timed against the reference's cached run but its tokens are not compared).
 * Decoded previews are off on the engine side (the reference makes none); both sides' seconds
 * include the cond encoding.
 */
async function compareWithReference(
  engine: Engine,
  engineOptions: Parameters<typeof createNodeEngine>[0],
  options: BenchOptions & { python: string },
  bundlePath: string,
  layout: LabelMap,
  side: number,
  cached: GenerationSettings,
  lead: number,
  tmp: string,
  log: (line: string) => void,
): Promise<Comparison> {
  const layoutFile = path.join(tmp, 'layout.png');
  writeFileSync(layoutFile, encodeIndexPng(layout));
  const s = { ...cached, decodedPreviews: false };
  const parallel: GenerationSettings = { ...s, sampler: 'parallel', lead };
  const noReuse = createNodeEngine({ ...engineOptions, tuning: { reuseWindowCache: false } });
  const runs: InterleavedRun[] = [];
  const errors: string[] = [];
  let referencePeakRssMb: number | null = null;
  const tokens = side * side;
  try {
    await engineRow(noReuse, options.model, 'warm-up no reuse', side, layout, s, [s.seed], false);
    await engineRow(engine, options.model, 'warm-up parallel', side, layout, parallel, [s.seed], true);
    for (let round = 1; round <= options.rounds; round++) {
      const ref = runReference({ python: options.python, bundle: bundlePath, layoutFile, settings: s, threads: options.threads, tmp });
      let refTokens: number[] | null = null;
      if (ref.ok) {
        refTokens = ref.tokens;
        const seconds = ref.output.seconds + ref.output.encodeSeconds;
        referencePeakRssMb = Math.max(referencePeakRssMb ?? 0, ref.output.peakRssMb);
        runs.push({ round, who: 'reference', seconds, tokensPerSecond: tokens / seconds, tokensAgree: null, load: load1() });
        log(`  round ${round} reference (PyTorch eager) cached s${s.stride} ${side}×${side}: ${seconds.toFixed(2)} s  (${formatLoad(load1())})`);
      } else {
        errors.push(`round ${round}: ${ref.error}`);
        log(`  round ${round} reference failed: ${ref.error}`);
      }
      for (const [who, e] of [['engine', engine], ['engine-no-reuse', noReuse]] as const) {
        const run = await engineRow(e, options.model, who, side, layout, s, [s.seed], who === 'engine');
        const agree = refTokens ? sameTokens(run.result, refTokens) : null;
        runs.push({ round, who, seconds: run.samplingSeconds, tokensPerSecond: run.tokensPerSecond, tokensAgree: agree, load: run.load });
        log(`  round ${round} ${who.padEnd(15)} cached s${s.stride} ${side}×${side}: ${run.samplingSeconds.toFixed(2)} s, tokens ${agree === null ? '?' : agree ? 'identical' : 'DIFFER'}  (${formatLoad(run.load)})`);
      }
      const par = await engineRow(engine, options.model, 'engine-parallel', side, layout, parallel, [s.seed], true);
      runs.push({ round, who: 'engine-parallel', seconds: par.samplingSeconds, tokensPerSecond: par.tokensPerSecond, tokensAgree: null, load: par.load });
      log(`  round ${round} ${'engine-parallel'.padEnd(15)} parallel L${lead} ${side}×${side}: ${par.samplingSeconds.toFixed(2)} s, ${par.forwards} forwards  (${formatLoad(par.load)})`);
    }
  } finally {
    await noReuse.dispose();
  }
  const med = (who: InterleavedRun['who']): number | null => {
    const v = runs.filter((r) => r.who === who).map((r) => r.seconds);
    return v.length ? median(v) : null;
  };
  return {
    grid: `${side}×${side}`,
    sampler: 'cached',
    stride: s.stride,
    lead,
    seed: s.seed,
    runs,
    referenceThreads: options.threads,
    referencePeakRssMb,
    median: { reference: med('reference') ?? NaN, engine: med('engine') ?? NaN, engineNoReuse: med('engine-no-reuse'), engineParallel: med('engine-parallel') },
    errors,
  };
}

function withoutTokens(run: BenchRow & { result: Uint16Array }): BenchRow {
  const row: BenchRow & { result?: Uint16Array } = { ...run };
  delete row.result;
  return row;
}

function sameTokens(a: Uint16Array, b: readonly number[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

function summarise(
  rows: BenchRow[],
  bySize: Map<number, { cached: BenchRow; exact: BenchRow | null }>,
  compareSide: number,
  comparison: Comparison | null,
  firstPreviewMs: number,
  enginePeakRssMb: number,
  batch: number,
): BenchReport['summary'] {
  const ratio = (who: InterleavedRun['who'], engineName: string, engineSeconds: number | null): BenchReport['summary']['fastestOverReferenceCached'] => {
    if (!comparison || engineSeconds === null || !Number.isFinite(comparison.median.reference)) return null;
    const perRound: number[] = [];
    for (const ref of comparison.runs.filter((r) => r.who === 'reference')) {
      const mine = comparison.runs.find((r) => r.who === who && r.round === ref.round);
      if (mine) perRound.push(ref.seconds / mine.seconds);
    }
    if (perRound.length === 0) return null;
    return { ratio: median(perRound), perRound, engine: engineName, engineSeconds, referenceSeconds: comparison.median.reference };
  };
  const cached = comparison ? ratio('engine', `cached s${comparison.stride}`, comparison.median.engine) : null;
  const noReuse = comparison ? ratio('engine-no-reuse', `cached s${comparison.stride}, no window reuse`, comparison.median.engineNoReuse) : null;
  const parallel = comparison ? ratio('engine-parallel', `parallel L${comparison.lead ?? DEFAULT_LEAD}`, comparison.median.engineParallel ?? null) : null;
  const fastest = [cached, noReuse, parallel].filter((r) => r !== null).sort((a, b) => a.engineSeconds - b.engineSeconds)[0] ?? null;
  // The parallel sampler draws other tokens by design: only the cached runs are compared.
  const engineRuns = comparison?.runs.filter((r) => r.who === 'engine' || r.who === 'engine-no-reuse') ?? [];
  const atCompare = bySize.get(compareSide);
  const single = atCompare?.cached ?? null;
  const batched = rows.find((r) => r.batch === batch && batch > 1) ?? null;
  return {
    fastestOverReferenceCached: fastest,
    cachedOverReferenceCached: cached,
    cachedTokensAgree: engineRuns.length && engineRuns.every((r) => r.tokensAgree !== null) ? engineRuns.every((r) => r.tokensAgree === true) : null,
    noReuseOverReferenceCached: noReuse,
    parallelOverReferenceCached: parallel,
    cachedOverExact: atCompare?.exact ? atCompare.cached.tokensPerSecond / atCompare.exact.tokensPerSecond : null,
    firstPreviewMs,
    peakRssMb: { engine: enginePeakRssMb, reference: comparison?.referencePeakRssMb ?? null },
    batchSpeedup: batched && single ? batched.tokensPerSecond / single.tokensPerSecond : null,
  };
}
