/**
 * `tsx bench/gpu-report.ts OUT_DIR`: the small report of bench/gpu-check.sh. Reads the adapter
 * (adapter.json) and every bench result in OUT_DIR (validated with the bench's own schema), and
 * writes OUT_DIR/report.json and OUT_DIR/report.md: per model and backend, tokens/s of the
 * cached sampler, the model-defaults run, the cold first preview, each with its load average.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BenchReportSchema, type BenchReport } from '../electron/cli/bench/report.ts';
import { writeFileAtomic } from '../electron/cli/support/files.ts';
import { AdapterFileSchema, GpuCheckReportSchema, type AdapterFile, type GpuCheckReport } from './gpu-report-schema.ts';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: tsx bench/gpu-report.ts OUT_DIR\n');
  process.exit(2);
}
let adapter: AdapterFile | null = null;
try {
  adapter = AdapterFileSchema.parse(JSON.parse(readFileSync(path.join(dir, 'adapter.json'), 'utf8')));
} catch {
  adapter = null;
}
// gpu-check.sh appends one line per step that failed; no file means none did.
const failuresFile = path.join(dir, 'failures.txt');
const failures = existsSync(failuresFile) ? readFileSync(failuresFile, 'utf8').split('\n').filter((l) => l.trim() !== '') : [];
const runs: GpuCheckReport['runs'] = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'adapter.json' && f !== 'report.json').sort()) {
  let report: BenchReport;
  try {
    report = BenchReportSchema.parse(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
  } catch (error) {
    failures.push(`${file}: not a bench result (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    continue;
  }
  runs.push({
    model: report.model.id,
    modelVersion: report.model.version,
    backend: report.backend,
    backendNote: report.backendNote,
    file,
    idle: report.load.idle,
    rows: report.rows.map((r) => ({ name: r.name, grid: r.grid, tokensPerSecond: r.tokensPerSecond, samplingSeconds: r.samplingSeconds, totalSeconds: r.totalSeconds, load: r.load })),
    firstPreviewMs: report.firstPreview?.medianMs ?? null,
  });
}
const summary = GpuCheckReportSchema.parse({ date: new Date().toISOString(), adapter, runs, failures });
const md = [
  `# GPU check ${summary.date.slice(0, 16).replace('T', ' ')} UTC`,
  '',
  adapter
    ? `Adapter: ${adapter.probe.available ? (adapter.probe.device ?? 'available, unnamed') : 'none'} (${adapter.probe.software === false ? 'hardware' : adapter.probe.software ? 'software' : 'unknown kind'}; ${adapter.probe.evidence}${adapter.probe.error ? `; ${adapter.probe.error}` : ''}); \`--backend auto\` → ${adapter.auto.backend}`
    : 'Adapter: not probed',
  '',
  '| model | backend | run | grid | tokens/s | sampling s | total s | load |',
  '|---|---|---|---|---|---|---|---|',
  ...runs.flatMap((r) => r.rows.map((row) => `| ${r.model} ${r.modelVersion} | ${r.backend} | ${row.name} | ${row.grid} | ${row.tokensPerSecond.toFixed(1)} | ${row.samplingSeconds.toFixed(2)} | ${row.totalSeconds.toFixed(2)} | ${row.load.toFixed(2)} |`)),
  '',
  ...runs.map((r) => `- ${r.model} on ${r.backend}: first preview (cold, median) ${r.firstPreviewMs === null ? 'n/a' : `${r.firstPreviewMs.toFixed(0)} ms`}${r.idle ? '' : ' — not an idle run'}${r.backendNote ? ` — ${r.backendNote}` : ''}`),
  ...(failures.length ? ['', 'Failures:', ...failures.map((f) => `- ${f}`)] : []),
  '',
].join('\n');
await writeFileAtomic(path.join(dir, 'report.json'), `${JSON.stringify(summary, null, 2)}\n`);
await writeFileAtomic(path.join(dir, 'report.md'), md);
process.stdout.write(md);
