/**
 * Runs the corpus (or its fast slice) through every door and collects one result per run:
 *   ipc            in the harness process, through the real handler table;
 *   png, bundle    in the harness process through the CLI's own code, and the stratified sample
 *                  (corpus.ts `cliSample`) again through a spawned `tessera` process;
 *   serve          against a serve-mode child process.
 * `run.ts` is the command line; tests/fuzz/fuzz-slice.test.ts runs the fast slice in `npm test`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliCase } from './cli-runner.ts';
import { buildCorpus, cliSample, corpusDigest, fastSlice } from './corpus.ts';
import type { WorkerReply } from './harness-worker.ts';
import { fuzzEnv, Harness } from './harness.ts';
import { GNU_TIME, loadAverage } from './proc.ts';
import { Rng } from './rng.ts';
import { runServeCase, ServeProcess, type ServeMode } from './serve-runner.ts';
import { DOORS, type CaseResult, type Door, type FuzzCase, type IpcCase, type Verdict } from './types.ts';

export interface RunOptions {
  seed: number;
  doors?: readonly Door[];
  slice?: 'full' | 'fast';
  /** Also run the stratified sample through spawned CLI processes (default true). */
  cli?: boolean;
  /** Only these case ids (to replay a finding). */
  ids?: readonly string[];
  log?: (line: string) => void;
}

export interface RunSummary {
  seed: number;
  slice: 'full' | 'fast';
  doors: Door[];
  digest: string;
  startedAt: string;
  seconds: number;
  loadBefore: string;
  loadAfter: string;
  /** Every run of every case (a case in the CLI sample has two). */
  results: CaseResult[];
  cases: number;
  /** The memory ceiling of each door's cases (the largest, where they differ). */
  ceilings: Partial<Record<Door, number>>;
  serveMode: ServeMode | null;
  gnuTime: boolean;
  harnessStarts: number;
  serverStarts: number;
}

const SEVERITY: Verdict[] = ['handled', 'unclear', 'partial', 'memory', 'hang', 'crash'];
export const worse = (a: Verdict, b: Verdict): Verdict => (SEVERITY.indexOf(a) >= SEVERITY.indexOf(b) ? a : b);

function judgeIpc(c: IpcCase, outcome: Awaited<ReturnType<Harness['run']>>): { verdict: Verdict; detail: string; peak: number | null } {
  if ('timedOut' in outcome) return { verdict: 'hang', detail: `no result within ${c.expect.timeoutMs} ms`, peak: null };
  if ('killedAtMb' in outcome) return { verdict: 'memory', detail: `killed at ${outcome.killedAtMb.toFixed(0)} MB`, peak: outcome.killedAtMb };
  if ('crash' in outcome) return { verdict: 'crash', detail: outcome.crash.slice(0, 300), peak: null };
  const r = outcome.reply as Extract<WorkerReply, { type: 'ipc-done' }>;
  const peak = r.peakRssMb;
  if (r.threw) return { verdict: 'crash', detail: `the handler threw instead of answering: ${r.threw.split('\n')[0]}`, peak };
  if (peak !== null && peak > c.expect.maxRssMb) return { verdict: 'memory', detail: `peak ${peak.toFixed(0)} MB`, peak };
  if (r.problems.length > 0) return { verdict: 'unclear', detail: r.problems.join('; '), peak };
  const result = r.result as { ok: boolean; error?: { code: string; message: string } };
  const refusedByGuard = r.logs[0]?.startsWith('[ipc] rejected') === true;
  if (c.expect.outcome === 'refused') {
    if (result.ok || result.error?.code !== 'BAD_REQUEST') return { verdict: 'unclear', detail: `not refused: ${JSON.stringify(result).slice(0, 160)}`, peak };
    if (!refusedByGuard || r.logs.length !== 1) return { verdict: 'unclear', detail: `refused, but logged ${r.logs.length} line(s): ${r.logs[0] ?? ''}`.slice(0, 200), peak };
  }
  if (refusedByGuard && r.calls > 0) return { verdict: 'unclear', detail: `the guard refused it, yet a handler ran (${r.calls} call(s))`, peak };
  return { verdict: 'handled', detail: result.ok ? 'ok' : `${result.error?.code}: ${result.error?.message.slice(0, 120)}`, peak };
}

/** For the fast slice: one CLI-door case per door, chosen by the seed, runs as a real process too. */
function sliceCliSample(cases: FuzzCase[], seed: number): Set<string> {
  const rng = new Rng((seed ^ 0xc11) >>> 0);
  const picked = new Set<string>();
  for (const door of ['png', 'bundle'] as const) {
    const ids = cases.filter((c) => c.door === door && c.expect.timeoutMs <= 30_000).map((c) => c.id);
    if (ids.length > 0) picked.add(rng.pick(ids));
  }
  return picked;
}

export async function runFuzz(options: RunOptions): Promise<RunSummary> {
  const log = options.log ?? ((line: string) => console.log(line));
  const doors = [...(options.doors ?? DOORS)];
  const slice = options.slice ?? 'full';
  const started = new Date();
  const loadBefore = loadAverage();
  const corpus = buildCorpus(options.seed, doors);
  const selected = slice === 'fast' ? fastSlice(corpus) : null;
  const cases = corpus.cases.filter((c) => (selected === null || selected.has(c.id)) && (options.ids === undefined || options.ids.includes(c.id)));
  const viaCli = options.cli === false ? new Set<string>() : slice === 'fast' ? sliceCliSample(cases, options.seed) : cliSample(corpus);
  log(`fuzz: seed ${options.seed}, ${slice} run, ${cases.length} cases (${[...viaCli].filter((id) => cases.some((c) => c.id === id)).length} also as CLI processes), doors ${doors.join(', ')}`);

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-fuzz-'));
  const env = fuzzEnv(path.join(tmp, 'cache'));
  const harness = new Harness(env);
  const results: CaseResult[] = [];
  let serve: ServeProcess | null = null;
  const record = (r: CaseResult): void => {
    results.push(r);
    if (r.verdict !== 'handled') log(`  ${r.verdict.toUpperCase().padEnd(7)} ${r.id} [${r.via}] ${r.what} → ${r.detail}`);
    if (results.length % 100 === 0) log(`  … ${results.length} runs`);
  };
  try {
    for (const c of cases) {
      if (c.door === 'ipc') {
        const t0 = performance.now();
        const outcome = await harness.run({ type: 'ipc', id: c.id, channel: c.channel, sender: c.sender, payload: c.payload }, c.expect);
        const j = judgeIpc(c, outcome);
        record({ id: c.id, door: 'ipc', category: c.category, what: c.what, via: 'harness', verdict: j.verdict, detail: j.detail, ms: performance.now() - t0, peakRssMb: j.peak });
      } else if (c.door === 'png' || c.door === 'bundle') {
        record(await runCliCase(c, 'harness', { harness, env, tmp }));
        if (viaCli.has(c.id)) record(await runCliCase(c, 'cli', { harness, env, tmp }));
      }
    }
    await harness.stop();
    const serveCases = cases.filter((c) => c.door === 'serve');
    if (serveCases.length > 0) {
      serve = new ServeProcess(env, path.join(tmp, 'serve-out'));
      await serve.start();
      for (const c of serveCases) if (c.door === 'serve') record(await runServeCase(c, serve));
    }
  } finally {
    await harness.stop();
    await serve?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  return {
    seed: options.seed,
    slice,
    doors,
    digest: corpusDigest(corpus.cases),
    startedAt: started.toISOString(),
    seconds: (Date.now() - started.getTime()) / 1000,
    loadBefore,
    loadAfter: loadAverage(),
    results,
    cases: cases.length,
    ceilings: Object.fromEntries(doors.map((d) => [d, Math.max(0, ...cases.filter((c) => c.door === d).map((c) => c.expect.maxRssMb))])),
    serveMode: serve?.mode ?? null,
    gnuTime: GNU_TIME !== null,
    harnessStarts: harness.restarts,
    serverStarts: serve?.starts ?? 0,
  };
}

/** Per case, the worst verdict over its runs. */
export function caseVerdicts(results: readonly CaseResult[]): Map<string, { door: Door; verdict: Verdict }> {
  const out = new Map<string, { door: Door; verdict: Verdict }>();
  for (const r of results) {
    const prev = out.get(r.id);
    out.set(r.id, { door: r.door, verdict: prev ? worse(prev.verdict, r.verdict) : r.verdict });
  }
  return out;
}

export function failed(summary: RunSummary): boolean {
  return summary.results.some((r) => r.verdict !== 'handled');
}
