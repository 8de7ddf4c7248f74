/**
 * bench/gpu-check.sh's CPU path end to end, on the tiny fixture: it probes the adapter (whatever
 * this machine has), runs the quick bench on the CPU and writes a report that parses with its
 * schema and holds the fixture's CPU rows with their load averages. Nothing is installed
 * (--no-install): the test must not touch node_modules under other processes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BenchReportSchema } from '../../electron/cli/bench/report.ts';
import { GpuCheckReportSchema } from '../../bench/gpu-report-schema.ts';
import { REPO } from '../engine/support/fixture.ts';

const out = mkdtempSync(path.join(os.tmpdir(), 'tessera-gpu-check-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('bench/gpu-check.sh --cpu-only --quick', () => {
  it('probes the adapter, benches the fixture on the CPU and writes report.json and report.md', () => {
    const run = spawnSync('bash', ['bench/gpu-check.sh', '--cpu-only', '--quick', '--no-install', '--out', out], { cwd: REPO, encoding: 'utf8', timeout: 170_000 });
    expect(run.status, `gpu-check failed:\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`).toBe(0);
    const report = GpuCheckReportSchema.parse(JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')));
    expect(report.failures).toEqual([]);
    expect(report.adapter).not.toBeNull();
    expect(report.runs.map((r) => [r.model, r.backend])).toEqual([['tessera-tiny-fixture', 'cpu']]);
    const names = report.runs[0]?.rows.map((r) => `${r.name} ${r.grid}`);
    expect(names).toEqual(expect.arrayContaining(['cached s4 16×16', 'cached s4 32×32']));
    for (const row of report.runs[0]?.rows ?? []) expect(row.load).toBeGreaterThanOrEqual(0);
    expect(report.runs[0]?.firstPreviewMs).toBeGreaterThan(0);
    // The bench's own result file sits beside it and parses with the bench's schema.
    const benchFile = readdirSync(out).find((f) => f.endsWith('-cpu.json'));
    expect(benchFile).toBeDefined();
    const bench = BenchReportSchema.parse(JSON.parse(readFileSync(path.join(out, benchFile as string), 'utf8')));
    expect(bench.profile).toBe('quick');
    expect(bench.comparison).toBeNull();
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toMatch(/\| tessera-tiny-fixture 0\.0\.1 \| cpu \| cached s4 \| 16×16 \|/);
  }, 180_000);
});
