/**
 * The run's summary table (door, cases, handled, crashes, hangs, partial files, peak memory...),
 * the list of findings, and docs/RELIABILITY.md's generated section between its markers.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { caseVerdicts, type RunSummary } from './runner.ts';
import { REPO } from './fixture.ts';
import { DOORS, type CaseResult, type Verdict } from './types.ts';

export const DOCS = path.join(REPO, 'docs', 'RELIABILITY.md');
const START = '<!-- fuzz:summary:start -->';
const END = '<!-- fuzz:summary:end -->';

function count(results: Iterable<{ verdict: Verdict }>, verdict: Verdict): number {
  let n = 0;
  for (const r of results) if (r.verdict === verdict) n++;
  return n;
}

export function summaryTable(summary: RunSummary): string {
  const perCase = caseVerdicts(summary.results);
  const rows = [
    '| door | cases | runs as CLI process | handled | crashes | hangs | partial files | over memory | unclear errors | peak RSS (MB) / ceiling |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const total = { cases: 0, cli: 0, handled: 0, crash: 0, hang: 0, partial: 0, memory: 0, unclear: 0 };
  for (const door of DOORS) {
    const cases = [...perCase.values()].filter((c) => c.door === door);
    if (cases.length === 0) continue;
    const runs = summary.results.filter((r) => r.door === door);
    const cli = runs.filter((r) => r.via === 'cli').length;
    const peak = Math.max(0, ...runs.map((r) => r.peakRssMb ?? 0));
    const n = (v: Verdict): number => count(cases, v);
    rows.push(`| ${door} | ${cases.length} | ${cli} | ${n('handled')} | ${n('crash')} | ${n('hang')} | ${n('partial')} | ${n('memory')} | ${n('unclear')} | ${peak.toFixed(0)} / ${summary.ceilings[door] ?? '?'} |`);
    total.cases += cases.length;
    total.cli += cli;
    total.handled += n('handled');
    total.crash += n('crash');
    total.hang += n('hang');
    total.partial += n('partial');
    total.memory += n('memory');
    total.unclear += n('unclear');
  }
  rows.push(`| **all** | **${total.cases}** | ${total.cli} | **${total.handled}** | **${total.crash}** | **${total.hang}** | **${total.partial}** | **${total.memory}** | **${total.unclear}** | |`);
  return rows.join('\n');
}

/** Non-handled runs grouped by door and category, with one example each. */
export function findings(results: readonly CaseResult[], max = 80): string[] {
  const groups = new Map<string, CaseResult[]>();
  for (const r of results) {
    if (r.verdict === 'handled') continue;
    const key = `${r.door}/${r.category}/${r.verdict}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.entries()].slice(0, max).map(([key, rs]) => {
    const first = rs[0] as CaseResult;
    return `${key}: ${rs.length} run(s), e.g. ${first.id} [${first.via}] ${first.what} → ${first.detail.replace(/\|/g, '\\|').replace(/\n/g, ' ')}`;
  });
}

export function describeRun(summary: RunSummary): string {
  const cmd = `npm run fuzz -- --seed ${summary.seed}${summary.slice === 'fast' ? ' --slice fast' : ''}${summary.doors.length < DOORS.length ? ` --only ${summary.doors.join(',')}` : ''}`;
  return [
    `\`${cmd}\` — ${summary.startedAt.slice(0, 10)}, ${summary.seconds.toFixed(0)} s, load average ${summary.loadBefore} before / ${summary.loadAfter} after,`,
    `corpus digest \`${summary.digest.slice(0, 16)}…\`, ${summary.cases} cases, ${summary.results.length} runs; serve mode: ${summary.serveMode === 'main' ? 'electron/serve/main.ts' : summary.serveMode === 'stub' ? 'serve-entry.ts (startServe with a stub page: renderer/dist was not built)' : 'not run'};`,
    `peak RSS from ${summary.gnuTime ? 'GNU time (CLI processes) and' : ''} /proc VmHWM (harness and server); harness process started ${summary.harnessStarts}×, server ${summary.serverStarts}×.`,
  ].join('\n');
}

export function renderSummary(summary: RunSummary): string {
  const list = findings(summary.results);
  return [describeRun(summary), '', summaryTable(summary), '', list.length === 0 ? 'No findings: every case was handled.' : `Findings (${list.length} groups):`, ...list.map((l) => `- ${l}`)].join('\n');
}

/** Replaces the generated section of docs/RELIABILITY.md (between its markers). */
export function writeDocs(summary: RunSummary, file = DOCS): boolean {
  if (!existsSync(file)) return false;
  const text = readFileSync(file, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) return false;
  writeFileSync(file, `${text.slice(0, a + START.length)}\n${renderSummary(summary)}\n${text.slice(b)}`);
  return true;
}
