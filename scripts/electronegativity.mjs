// Runs @doyensec/electronegativity (Electron security misconfiguration scanner) over the
// project's sources and fails on any HIGH-severity finding. Lower findings are printed for review.
//
// Scanned: package.json (for the Electron version), electron/, shared/, renderer/src and
// renderer/index.html, build/*.mjs, e2e/electron — copied to a temp folder because the scanner
// takes one folder and would otherwise also parse generated bundles (out/, renderer/dist) and
// training/. Its CLI is unusable here (it relies on an old `commander` that the project's newer one
// shadows), so the runner is called directly. Offline it prints two harmless notes (translations,
// release list); neither affects the checks.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

let run;
try {
  run = require('@doyensec/electronegativity/dist/runner.js');
} catch (error) {
  console.log(`electronegativity: SKIPPED — the package could not be loaded (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); run npm install.`);
  process.exit(0);
}

// `--input=<folder>` scans that folder as it is (used by the test that proves HIGH findings fail).
const inputArg = process.argv.find((a) => a.startsWith('--input='))?.slice('--input='.length);
const scanDir = inputArg ? path.resolve(inputArg) : mkdtempSync(path.join(tmpdir(), 'tessera-electronegativity-'));
const include = inputArg ? [] : ['package.json', 'electron', 'shared', 'renderer/src', 'renderer/index.html', 'build', 'e2e/electron'];
for (const entry of include) {
  const from = path.join(root, entry);
  if (!existsSync(from)) continue;
  cpSync(from, path.join(scanDir, entry), {
    recursive: true,
    // Only sources: skip generated or binary build resources.
    filter: (src) => !/[\\/](node_modules|dist|out|icons)([\\/]|$)/.test(path.relative(root, src)) && !/\.(png|ico|icns)$/.test(src),
  });
}

const started = Date.now();
let result;
try {
  result = await run(
    { input: scanDir, isRelative: true, isVerbose: false, customScan: [], excludeFromScan: [], parserPlugins: [], isSarif: false },
    false,
  );
} finally {
  if (!inputArg) rmSync(scanDir, { recursive: true, force: true });
}

const order = { HIGH: 3, MEDIUM: 2, LOW: 1, INFORMATIONAL: 0 };
const issues = [...result.issues].sort((a, b) => order[b.severity.name] - order[a.severity.name]);
for (const issue of issues) {
  console.log(`  ${issue.severity.name.padEnd(13)} ${issue.confidence.name.padEnd(9)} ${issue.id.padEnd(32)} ${issue.file}:${issue.location.line}${issue.manualReview ? '  (manual review)' : ''}`);
}
for (const error of result.errors.filter((e) => !e.tolerable)) console.log(`  parse error (not scanned): ${path.relative(scanDir, error.file)}: ${error.message.split('\n')[0]}`);

const count = (name) => issues.filter((i) => i.severity.name === name).length;
const high = count('HIGH');
console.log(
  `electronegativity: ${result.globalChecks + result.atomicChecks} checks in ${((Date.now() - started) / 1000).toFixed(1)}s — ${high} high, ${count('MEDIUM')} medium, ${count('LOW')} low, ${count('INFORMATIONAL')} informational${high > 0 ? ' — FAILED (HIGH findings)' : ' — ok (no HIGH findings)'}`,
);
process.exit(high > 0 ? 1 : 0);
