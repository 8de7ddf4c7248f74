/** `tessera models list|verify|info`. */
import type { Command } from 'commander';
import { createNodeEngine, stderrLogger, type NodeEngineOptions } from '../../../engine/node/create-node-engine.ts';
import { jsonLine } from '../support/reporter.ts';
import { runCommand } from '../support/run-command.ts';

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

type NodeEngine = ReturnType<typeof createNodeEngine>;

/** Runs a `models` subcommand on its own engine (logging to stderr), disposed however the body ends. */
function withEngine(json: boolean, options: NodeEngineOptions, body: (engine: NodeEngine) => Promise<void>): Promise<void> {
  return runCommand(json, async () => {
    const engine = createNodeEngine({ ...options, logger: stderrLogger() });
    try {
      await body(engine);
    } finally {
      await engine.dispose();
    }
  });
}

export function registerModels(program: Command): void {
  const models = program.command('models').description('List, inspect and verify model bundles.');

  models
    .command('list')
    .description('List the models found: embedded, user folders, TESSERA_MODELS_DIR.')
    .option('--models-dir <dir...>', 'extra folders to search')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean; modelsDir?: string[] }) =>
      withEngine(options.json === true, { modelDirs: options.modelsDir ?? [] }, async (engine) => {
        const list = await engine.listModels();
        const { problems } = await engine.catalog.list();
        if (options.json) {
          process.stdout.write(`${jsonLine({ models: list, problems, searched: engine.catalog.searchedFolders })}\n`);
          return;
        }
        if (list.length === 0) process.stdout.write(`No models found. Searched: ${engine.catalog.searchedFolders.join(', ')}\n`);
        else process.stdout.write(`${table([['ID', 'NAME', 'VERSION', 'ORIGIN', 'SIZE', 'PATH'], ...list.map((m) => [m.id, m.name, m.version, m.origin, megabytes(m.bytes), m.path])])}\n`);
        for (const p of problems) process.stderr.write(`skipped ${p.path}: ${p.message}\n`);
      }),
    );

  models
    .command('verify')
    .description('Check a bundle: manifest, file sizes and sha256, graphs against the manifest, class count.')
    .argument('[model]', 'model id or bundle folder', 'default')
    .option('--json', 'print JSON')
    .action(async (ref: string, options: { json?: boolean }) =>
      withEngine(options.json === true, { backend: 'cpu' }, async (engine) => {
        const report = await engine.verifyModel(ref);
        if (options.json) process.stdout.write(`${jsonLine(report)}\n`);
        else {
          for (const c of report.checks) process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.message}\n`);
          process.stdout.write(report.ok ? `${report.id}: all checks passed\n` : `${report.id}: some checks failed\n`);
        }
        if (!report.ok) process.exitCode = 3;
      }),
    );

  models
    .command('info')
    .description('Show what a model expects: classes and colours, grid factor, window, defaults, files.')
    .argument('[model]', 'model id or bundle folder', 'default')
    .option('--json', 'print JSON')
    .action(async (ref: string, options: { json?: boolean }) =>
      withEngine(options.json === true, {}, async (engine) => {
        const entry = ref === 'default' ? await engine.catalog.defaultModel() : await engine.catalog.resolve(ref);
        const m = entry.manifest;
        if (options.json) {
          process.stdout.write(`${jsonLine({ origin: entry.origin, path: entry.path, manifest: m })}\n`);
          return;
        }
        const lines = [
          `${m.name} (${m.id} ${m.version}), ${m.license}`,
          `origin      ${entry.origin}: ${entry.path}`,
          `grid        ${m.gridFactor} px per token; window ${m.window.cols}×${m.window.rows} tokens (smallest canvas ${m.window.cols * m.gridFactor}×${m.window.rows * m.gridFactor} px)`,
          `codebooks   image ${m.vocab.image}, cond ${m.vocab.cond}; transformer ${m.transformer.layers} layers × ${m.transformer.heads} heads, width ${m.transformer.width}`,
          `defaults    ${m.defaults ? `temperature ${m.defaults.temperature}, top-k ${m.defaults.topK}, top-p ${m.defaults.topP}, ${m.defaults.sampler} stride ${m.defaults.stride}${m.defaults.lead === undefined ? '' : `, parallel lead ${m.defaults.lead}`}${m.defaults.parallelOrder === undefined ? '' : ` (${m.defaults.parallelOrder})`}` : 'none'}`,
          `classes     ${m.classes.length}:`,
          ...m.classes.map((c) => `  ${String(c.id).padStart(3)}  ${c.color}  ${c.name}`),
          `files       ${megabytes(entry.bytes)}:`,
          ...Object.entries(m.files).map(([k, f]) => `  ${k.padEnd(16)} ${f.path} (${megabytes(f.bytes)})`),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );
}
