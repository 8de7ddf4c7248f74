/**
 * `npm run fuzz -- [--seed N] [--only door,door] [--slice fast] [--case ID...] [--no-cli] [--no-docs] [--json FILE]`
 *
 * Builds the seeded corpus, runs it through every door, prints the summary table and the findings,
 * writes them into docs/RELIABILITY.md (a full run of every door only, unless --docs), and exits 1
 * if any case crashed, hung, went over its memory ceiling, left a partial file or ended unclearly.
 */
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_SEED } from './corpus.ts';
import { renderSummary, writeDocs } from './report.ts';
import { failed, runFuzz } from './runner.ts';
import { DOORS, type Door } from './types.ts';

function parseDoors(text: string): Door[] {
  const doors = text.split(',').map((d) => d.trim());
  for (const d of doors) if (!(DOORS as readonly string[]).includes(d)) throw new InvalidArgumentError(`unknown door "${d}" (doors: ${DOORS.join(', ')})`);
  return doors as Door[];
}

function parseSeed(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError(`--seed must be an integer 0..4294967295 (got "${text}")`);
  return n;
}

const program = new Command('fuzz')
  .description('Run the seeded bad-input corpus through the CLI, bundle loading, serve mode and the desktop IPC guard.')
  .option('--seed <n>', 'corpus seed', parseSeed, DEFAULT_SEED)
  .option('--only <doors>', `comma-separated doors: ${DOORS.join(', ')}`, parseDoors)
  .addOption(new Option('--slice <slice>', 'fast: ~100 cases, one per category first (what npm test runs)').choices(['full', 'fast']).default('full'))
  .option('--no-cli', 'skip the spawned-CLI sample (harness only)')
  .option('--docs', 'write docs/RELIABILITY.md even for a partial run')
  .option('--no-docs', 'never write docs/RELIABILITY.md')
  .option('--case <ids...>', 'only these case ids (replay a finding)')
  .option('--json <file>', 'also write every result as JSON');

program.parse();
const o = program.opts<{ seed: number; only?: Door[]; slice: 'full' | 'fast'; cli: boolean; docs?: boolean; json?: string; case?: string[] }>();

const summary = await runFuzz({ seed: o.seed, ...(o.only ? { doors: o.only } : {}), slice: o.slice, cli: o.cli, ...(o.case ? { ids: o.case } : {}) });
const text = renderSummary(summary);
console.log(`\n${text}`);
const complete = o.slice === 'full' && summary.doors.length === DOORS.length && o.case === undefined;
if (o.docs === true || (o.docs !== false && complete)) console.log(writeDocs(summary) ? '\nwrote docs/RELIABILITY.md' : '\ndocs/RELIABILITY.md has no fuzz markers: not written');
if (o.json) writeFileSync(o.json, `${JSON.stringify(summary, null, 1)}\n`);
process.exit(failed(summary) ? 1 : 0);
