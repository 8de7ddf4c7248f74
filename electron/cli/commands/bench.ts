/** `tessera bench` (also `npm run bench`): see electron/cli/bench/run-bench.ts. */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { BACKENDS, type Backend } from '../../../shared/protocol.ts';
import { formatBenchTable } from '../bench/format.ts';
import { runBench } from '../bench/run-bench.ts';
import { defaultThreads } from '../../../engine/node/backends.ts';
import { REPO_ROOT } from '../../../engine/node/bundle-catalog.ts';
import { jsonLine } from '../support/reporter.ts';
import { numberOption, runCommand } from '../support/run-command.ts';

interface BenchCliOptions {
  model: string;
  backend: Backend;
  sizes: string;
  batch: number;
  repeat: number;
  rounds: number;
  stride?: number;
  lead?: number;
  threads?: number;
  python: string | false;
  out: string;
  exactMaxTokens: number;
  quick?: boolean;
  json?: boolean;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'Measure the engine against the Python reference (interleaved, same threads), tokens/s of the samplers (cached, parallel, exact), first preview (cold), batching and peak RSS; the load average is printed beside every figure.',
    )
    .option('--model <id|path>', 'model to measure (default: the first embedded model)', 'default')
    .addOption(new Option('--backend <backend>', 'runtime').choices(BACKENDS).default('auto'))
    .option('--sizes <list>', 'token grid sides, comma-separated (the first: comparison with the reference; the largest: first preview)', '16,32')
    .option('--batch <n>', 'seeds batched together in the batching run (1 = skip)', numberOption('--batch', (n) => Number.isInteger(n) && n >= 1 && n <= 64, 'an integer 1..64'), 4)
    .option('--repeat <n>', 'runs per engine row (the fastest counts)', numberOption('--repeat', (n) => Number.isInteger(n) && n >= 1, 'a positive integer'), 2)
    .option('--rounds <n>', 'interleaved reference/engine rounds (medians count)', numberOption('--rounds', (n) => Number.isInteger(n) && n >= 1, 'a positive integer'), 3)
    .option('--stride <s>', 'cached sampler stride (default: the window width)', numberOption('--stride', (n) => Number.isInteger(n) && n >= 1, 'a positive integer'))
    .option('--lead <n>', 'parallel sampler lead (default: the model’s, else 2)', numberOption('--lead', (n) => Number.isInteger(n) && n >= 1 && n <= 256, 'an integer 1..256'))
    .option('--threads <n>', 'onnxruntime intra-op threads = torch threads of the reference (default: TESSERA_THREADS or the cores)', numberOption('--threads', (n) => Number.isInteger(n) && n >= 1 && n <= 256, 'an integer 1..256'))
    .option('--python <exe>', 'Python for the reference sampler', '/usr/bin/python3')
    .option('--no-python', 'skip the Python reference sampler')
    .option('--exact-max-tokens <n>', 'largest grid (in tokens) the exact sampler is run on', numberOption('--exact-max-tokens', (n) => Number.isInteger(n) && n > 0, 'a positive integer'), 256)
    .option('--quick', 'one round, no exact/batch/workflow rows, two first-preview runs (bench/gpu-check.sh)')
    .option('--out <dir>', 'results folder', path.join(REPO_ROOT, 'bench', 'results'))
    .option('--json', 'print the report as JSON')
    .action(async (o: BenchCliOptions) =>
      runCommand(o.json === true, async () => {
        const log = (line: string): void => {
          process.stderr.write(`${line}\n`);
        };
        const sizes = o.sizes.split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
        const quick = o.quick === true;
        const { report } = await runBench(
          {
            model: o.model,
            backend: o.backend,
            sizes,
            batch: o.batch,
            repeat: quick ? 1 : o.repeat,
            rounds: quick ? 1 : o.rounds,
            python: o.python === false ? null : o.python,
            outDir: o.out,
            exactMaxTokens: o.exactMaxTokens,
            threads: o.threads ?? defaultThreads(),
            profile: quick ? 'quick' : 'full',
            ...(o.stride ? { stride: o.stride } : {}),
            ...(o.lead ? { lead: o.lead } : {}),
          },
          log,
        );
        process.stdout.write(o.json ? `${jsonLine(report)}\n` : `\n${formatBenchTable(report)}\n`);
      }),
    );
}
