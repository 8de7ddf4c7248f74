// `npm test`: every check the project has, in order of speed, with one summary line at the end.
// Steps: manifest JSON Schema freshness, typecheck, lint, unit tests (vitest), the toolkit's Python
// tests (pytest), the studio e2e in Chromium, the Electron e2e (which skips with a reason where
// no Electron binary exists). A failing step does not stop the later ones, so one run shows everything.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const only = process.argv.slice(2);
const tmp = mkdtempSync(path.join(tmpdir(), 'tessera-test-'));
const vitestJson = path.join(tmp, 'vitest.json');

/** Each step: a command, and how to count its tests from its output (null: a check, not tests). */
const steps = [
  { name: 'schema', cmd: ['node_modules/.bin/tsx', 'scripts/write-json-schema.ts', '--check'] },
  { name: 'typecheck', cmd: ['node', 'scripts/typecheck.mjs'] },
  { name: 'lint', cmd: ['node_modules/.bin/eslint', '--max-warnings=0', '.'] },
  {
    name: 'unit',
    cmd: ['node_modules/.bin/vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`],
    count: () => {
      const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
      return { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests };
    },
  },
  {
    name: 'python',
    cmd: ['bash', 'training/run-pytest.sh'],
    count: (out) => {
      const line = out.split('\n').reverse().find((l) => /\d+ (passed|failed)/.test(l)) ?? '';
      const n = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
      return { passed: n('passed'), failed: n('failed') + n('error'), skipped: n('skipped') + n('deselected') };
    },
  },
  { name: 'e2e', cmd: ['node', 'e2e/run.mjs'], when: () => existsSync('e2e/run.mjs'), count: nodeTestCounts },
  { name: 'electron', cmd: ['node', 'e2e/electron/run.mjs'], when: () => existsSync('e2e/electron/run.mjs'), count: nodeTestCounts },
];

/** node:test's summary: `# pass N` (TAP reporter) or `ℹ pass N` (spec reporter). */
function nodeTestCounts(out) {
  // Summed over every summary: e2e/run.mjs runs two suites (serve mode, then the static build).
  const n = (word) => [...out.matchAll(new RegExp(`^(?:#|ℹ) ${word} (\\d+)`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
  return { passed: n('pass'), failed: n('fail') + n('cancelled'), skipped: n('skipped') + n('todo') };
}

function run(step) {
  return new Promise((resolve) => {
    const [command, ...args] = step.cmd;
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    const tee = (stream) => (chunk) => {
      out += chunk;
      stream.write(chunk);
    };
    child.stdout.on('data', tee(process.stdout));
    child.stderr.on('data', tee(process.stderr));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
    child.on('error', (error) => resolve({ code: 1, out: String(error) }));
  });
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const report = [];
const started = Date.now();
for (const step of steps) {
  if (only.length > 0 && !only.includes(step.name)) continue;
  if (step.when && !step.when()) {
    report.push(`${step.name}: not present yet`);
    continue;
  }
  console.log(`\n=== ${step.name}: ${step.cmd.join(' ')}`);
  const t0 = Date.now();
  const { code, out } = await run(step);
  let counts = null;
  try {
    counts = step.count ? step.count(out) : null;
  } catch {
    counts = null;
  }
  const ok = code === 0;
  if (counts) {
    totals.passed += counts.passed;
    totals.failed += counts.failed;
    totals.skipped += counts.skipped ?? 0;
    // A runner that crashed before counting still fails the suite.
    if (!ok && counts.failed === 0) totals.failed += 1;
  } else if (!ok) {
    totals.failed += 1;
  }
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  report.push(`${step.name}: ${ok ? 'ok' : `FAILED (exit ${code})`}${counts ? ` — ${counts.passed} passed, ${counts.failed} failed` : ''} in ${seconds}s`);
}
rmSync(tmp, { recursive: true, force: true });
console.log(`\n=== summary (${((Date.now() - started) / 1000).toFixed(0)}s)`);
for (const line of report) console.log(`  ${line}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
