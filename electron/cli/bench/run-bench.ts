/**
 * The benchmark behind `npm run bench` and `tessera bench`: tokens/s of the exact and cached
 * samplers at 16×16 and 32×32 tokens, the cached/exact ratio, batching, time to first preview,
 * peak RSS, and the engine against the Python reference sampler on the same weights.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { encodeIndexPng } from '../../../shared/labelmap.ts';
import type { Backend, GenerationSettings } from '../../../shared/protocol.ts';
import { defaultThreads } from '../../engine/node/backends.ts';
import { REPO_ROOT } from '../../engine/node/bundle-catalog.ts';
import { createNodeEngine, stderrLogger } from '../../engine/node/create-node-engine.ts';
import { writeFileAtomic } from '../support/files.ts';
import { benchLayout } from './layouts.ts';
import { formatWorkflowBench, runWorkflowBench, type WorkflowBench } from './workflow-bench.ts';

export interface BenchOptions {
  model: string;
  backend: Backend;
  /** Token grid sides to measure. */
  sizes: number[];
  /** Seeds batched together in the batching measurement. */
  batch: number;
  repeat: number;
  python: string | null;
  outDir: string;
  /** Largest grid the exact sampler and the reference are run on (they are slow on big models). */
  exactMaxTokens: number;
  /** Cached sampler stride (default: the window width, one prefill per window row). */
  stride?: number;
}

export interface BenchRow {
  name: string;
  grid: string;
  sampler: 'exact' | 'cached';
  stride: number;
  batch: number;
  tokens: number;
  /** Job start to last token: cond encoding, sampling and throttled preview decodes. */
  samplingSeconds: number;
  /** Including the final full decode. */
  totalSeconds: number;
  tokensPerSecond: number;
  previewDecodes: number;
  firstPreviewMs: number | null;
  forwards: number;
  positions: number;
}

export interface BenchReport {
  date: string;
  model: { id: string; version: string; path: string };
  backend: string;
  backendNote: string | undefined;
  machine: { cpus: number; cpuModel: string; node: string; platform: string; threads: number; loadAverage: number[] };
  rows: BenchRow[];
  reference: Array<{ grid: string; sampler: string; stride: number; seconds: number; engineSeconds: number; speedup: number; tokensAgree: boolean | null }>;
  /** Batch throughput and inpainting time (workflow-bench.ts). */
  workflows?: WorkflowBench;
  summary: { cachedOverExact32: number | null; engineOverReference: { exact: number | null; cached: number | null }; firstPreviewMs: number | null; peakRssMb: number; batchSpeedup: number | null };
}

export async function runBench(options: BenchOptions, log: (line: string) => void): Promise<BenchReport> {
  const engine = createNodeEngine({ backend: options.backend, logger: stderrLogger(), maxCanvas: { width: 8192, height: 8192 }, tuning: {} });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-'));
  try {
    const info = await engine.loadModel(options.model, options.backend);
    const model = await engine.model(options.model);
    const m = model.manifest;
    const defaults = m.defaults;
    const stride = Math.min(m.window.cols, options.stride ?? m.window.cols);
    const settings = (sampler: 'exact' | 'cached', seed: number): GenerationSettings => ({
      seed,
      temperature: defaults?.temperature ?? 1,
      topK: defaults?.topK ?? Math.min(100, m.vocab.image),
      topP: defaults?.topP ?? 1,
      sampler,
      stride: sampler === 'exact' ? 1 : stride,
      decodedPreviews: true,
    });
    const rows: BenchRow[] = [];
    const run = async (name: string, side: number, sampler: 'exact' | 'cached', seeds: number[]): Promise<BenchRow> => {
      const layout = benchLayout(side * m.gridFactor, side * m.gridFactor, m.classes.length);
      let best: BenchRow | null = null;
      for (let r = 0; r < options.repeat; r++) {
        const started = performance.now();
        const outcome = await engine.generateWithStats({ jobId: `bench-${name}-${r}`, model: options.model, layout, settings: settings(sampler, seeds[0] as number), seeds }, () => undefined);
        const totalSeconds = (performance.now() - started) / 1000;
        const samplingSeconds = outcome.stats.samplingMs / 1000;
        const tokens = side * side * seeds.length;
        const row: BenchRow = {
          name,
          grid: `${side}×${side}`,
          sampler,
          stride: sampler === 'exact' ? 1 : stride,
          batch: seeds.length,
          tokens,
          samplingSeconds,
          totalSeconds,
          tokensPerSecond: tokens / samplingSeconds,
          previewDecodes: outcome.stats.previewDecodes,
          firstPreviewMs: outcome.stats.firstPreviewMs,
          forwards: outcome.stats.forwards,
          positions: outcome.stats.positions,
        };
        if (!best || row.samplingSeconds < best.samplingSeconds) best = row;
      }
      const row = best as BenchRow;
      rows.push(row);
      log(`  ${row.name.padEnd(24)} ${row.grid.padEnd(7)} ${row.tokensPerSecond.toFixed(1).padStart(8)} tok/s  ${row.samplingSeconds.toFixed(2)} s sampling, ${row.totalSeconds.toFixed(2)} s total`);
      return row;
    };

    // Warm-up: the first run pays for lazy initialisation inside onnxruntime.
    await run('warm-up', m.window.rows, 'cached', [1]);
    rows.pop();
    const bySize = new Map<number, { exact: BenchRow | null; cached: BenchRow }>();
    for (const side of options.sizes) {
      const cached = await run(`cached s${stride}`, side, 'cached', [7]);
      const exact = side * side <= options.exactMaxTokens ? await run('exact', side, 'exact', [7]) : null;
      bySize.set(side, { exact, cached });
    }
    const batchSide = options.sizes[0] as number;
    const single = bySize.get(batchSide)?.cached ?? null;
    const batched = options.batch > 1 ? await run(`cached s${stride} batch ${options.batch}`, batchSide, 'cached', Array.from({ length: options.batch }, (_, i) => 7 + i)) : null;

    const reference: BenchReport['reference'] = [];
    if (options.python) {
      const refSide = options.sizes[0] as number;
      const layout = benchLayout(refSide * m.gridFactor, refSide * m.gridFactor, m.classes.length);
      const layoutFile = path.join(tmp, 'layout.png');
      writeFileSync(layoutFile, encodeIndexPng(layout));
      for (const sampler of ['exact', 'cached'] as const) {
        const s = settings(sampler, 7);
        const tokensFile = path.join(tmp, `tokens-${sampler}.json`);
        const args = ['-m', 'training.reference_sampler', '--bundle', info.path, '--layout', layoutFile, '--seed', '7', '--temperature', String(s.temperature), '--top-k', String(s.topK), '--top-p', String(s.topP), '--sampler', sampler, '--stride', String(s.stride), '--tokens-out', tokensFile];
        log(`  reference: ${options.python} ${args.slice(0, 2).join(' ')} … --sampler ${sampler}`);
        const proc = spawnSync(options.python, args, { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
        const match = /:\s*([\d.]+)\s*s,/.exec(proc.stdout ?? '');
        if (proc.status !== 0 || !match) {
          log(`  reference sampler failed (${proc.status}): ${(proc.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
          continue;
        }
        const refSeconds = Number(match[1]);
        const engineRow = sampler === 'exact' ? bySize.get(refSide)?.exact : bySize.get(refSide)?.cached;
        const engineSeconds = engineRow?.samplingSeconds ?? NaN;
        let agree: boolean | null = null;
        try {
          const refTokens = (JSON.parse(readFileSync(tokensFile, 'utf8')) as { tokens: number[][][] }).tokens[0]?.flat() ?? [];
          const again = await engine.generateWithStats({ jobId: `bench-agree-${sampler}`, model: options.model, layout, settings: s }, () => undefined);
          agree = JSON.stringify(Array.from(again.results[0]?.tokens ?? [])) === JSON.stringify(refTokens);
        } catch {
          agree = null;
        }
        reference.push({ grid: `${refSide}×${refSide}`, sampler, stride: s.stride, seconds: refSeconds, engineSeconds, speedup: refSeconds / engineSeconds, tokensAgree: agree });
        log(`  reference ${sampler}: ${refSeconds.toFixed(2)} s vs engine ${engineSeconds.toFixed(2)} s → ${(refSeconds / engineSeconds).toFixed(1)}×, tokens ${agree === null ? '?' : agree ? 'identical' : 'differ'}`);
      }
    }

    const workflows = await runWorkflowBench(engine, options.model, m.classes.length, settings('cached', 7), Math.max(2, options.batch), log);
    const largest = Math.max(...options.sizes);
    const big = bySize.get(largest);
    const speedup = (sampler: string): number | null => reference.find((r) => r.sampler === sampler)?.speedup ?? null;
    const report: BenchReport = {
      date: new Date().toISOString(),
      model: { id: info.id, version: info.version, path: info.path },
      backend: info.backend ?? options.backend,
      backendNote: info.backendNote,
      machine: { cpus: os.availableParallelism(), cpuModel: os.cpus()[0]?.model ?? '?', node: process.version, platform: `${process.platform}-${process.arch}`, threads: defaultThreads(), loadAverage: os.loadavg().map((v) => Number(v.toFixed(1))) },
      rows,
      reference,
      workflows,
      summary: {
        cachedOverExact32: big?.exact ? big.cached.tokensPerSecond / big.exact.tokensPerSecond : null,
        // The same algorithm on both sides: engine exact vs reference exact, engine cached vs reference cached.
        engineOverReference: { exact: speedup('exact'), cached: speedup('cached') },
        firstPreviewMs: big?.cached.firstPreviewMs ?? null,
        peakRssMb: process.resourceUsage().maxRSS / 1024,
        batchSpeedup: batched && single ? batched.tokensPerSecond / single.tokensPerSecond : null,
      },
    };
    const file = path.join(options.outDir, `${report.date.slice(0, 19).replace(/[:T]/g, '-')}-${info.id}-${report.backend}.json`);
    await writeFileAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${path.relative(process.cwd(), file)}`);
    return report;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await engine.dispose();
  }
}

/** The table printed at the end (and pasted into docs/PERFORMANCE.md). */
export function formatBenchTable(report: BenchReport): string {
  const lines = [
    `model ${report.model.id} ${report.model.version} · backend ${report.backend} · ${report.machine.threads} threads on ${report.machine.cpus} cores (${report.machine.cpuModel}, load average ${report.machine.loadAverage.join(' ')}) · ${report.date.slice(0, 10)}`,
    '',
    '| run | grid | batch | tokens/s | sampling s | total s | positions | decoded previews | first preview |',
    '|---|---|---|---|---|---|---|---|---|',
    ...report.rows.map(
      (r) =>
        `| ${r.name} | ${r.grid} | ${r.batch} | ${r.tokensPerSecond.toFixed(1)} | ${r.samplingSeconds.toFixed(2)} | ${r.totalSeconds.toFixed(2)} | ${r.positions} | ${r.previewDecodes} | ${r.firstPreviewMs === null ? '–' : `${r.firstPreviewMs.toFixed(0)} ms`} |`,
    ),
  ];
  if (report.reference.length > 0) {
    lines.push('', '| Python reference | grid | stride | reference s | engine s | speed-up | same tokens |', '|---|---|---|---|---|---|---|');
    for (const r of report.reference) lines.push(`| ${r.sampler} | ${r.grid} | ${r.stride} | ${r.seconds.toFixed(2)} | ${r.engineSeconds.toFixed(2)} | ${r.speedup.toFixed(1)}× | ${r.tokensAgree === null ? '?' : r.tokensAgree ? 'yes' : 'no'} |`);
  }
  const s = report.summary;
  const fmt = (v: number | null, unit: string, digits = 1): string => (v === null ? 'n/a' : `${v.toFixed(digits)}${unit}`);
  lines.push(
    '',
    `cached/exact at the largest grid: ${fmt(s.cachedOverExact32, '×')} (goal ≥ 10×) · engine vs Python reference: exact ${fmt(s.engineOverReference.exact, '×')}, cached ${fmt(s.engineOverReference.cached, '×')} (goal ≥ 5×) · first preview: ${fmt(s.firstPreviewMs, ' ms', 0)} (goal ≤ 150 ms) · batching: ${fmt(s.batchSpeedup, '×')} · peak RSS ${s.peakRssMb.toFixed(0)} MB`,
  );
  lines.push(...formatWorkflowBench(report.workflows));
  return lines.join('\n');
}
