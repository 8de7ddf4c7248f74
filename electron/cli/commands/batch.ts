/**
 * `tessera batch`: M layouts × N seeds into a folder, resumable (run the same command again
 * after any interruption, kill -9 included) and shardable (`--shard k/n`, one process per share,
 * all writing into the same folder). See electron/engine/batch/run-batch.ts.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { TesseraError } from '../../../shared/errors.ts';
import { decodeLabelPng } from '../../../shared/labelmap.ts';
import { inspectPng, pngLimits, type PngLimits } from '../../../shared/png-guard.ts';
import type { EngineEvent } from '../../../shared/protocol.ts';
import { DEFAULT_GROUP_SIZE, parseSeeds, parseShard, runBatchJob, type NamedLayout } from '../../engine/batch/index.ts';
import { resizeLabelMap } from '../../engine/image.ts';
import { nodeBatchFs } from '../../engine/node/batch-fs.ts';
import { createNodeEngine, stderrLogger } from '../../engine/node/create-node-engine.ts';
import { readInputFile } from '../support/files.ts';
import { jsonLine } from '../support/reporter.ts';
import { numberOption, onInterrupt, parseSize, runCommand } from '../support/run-command.ts';
import { addSamplingOptions, describeSettings, resolveSettings, type SamplingCliOptions } from './sampling-options.ts';

interface BatchCliOptions extends SamplingCliOptions {
  layouts: string;
  seeds: string;
  out: string;
  shard?: string;
  size?: string;
  groupSize: number;
  force?: boolean;
  contactSheet: boolean;
}

export function registerBatch(program: Command): void {
  const command = program
    .command('batch')
    .description('Generate layouts × seeds into a folder: one PNG per image (parameters in tEXt), batch.json, contact.png. Rerun the same command to resume.')
    .requiredOption('--layouts <dir|glob>', 'a folder of label-map PNGs, a glob such as "layouts/lake-*.png" (quote it), or one PNG')
    .requiredOption('--seeds <list>', 'seeds, e.g. 1-16 or 1,4,10-12')
    .requiredOption('--out <dir>', 'output folder (created; files are written atomically)')
    .option('--shard <k/n>', 'make only the k-th of n shares (item i goes to shard (i mod n) + 1, items ordered by layout name, then seed)')
    .option('--size <WxH>', 'resize every layout (nearest neighbour) to this many pixels first')
    .option('--group-size <n>', 'seeds of one layout sampled together in one forward (1 = one at a time)', numberOption('--group-size', (n) => Number.isInteger(n) && n >= 1 && n <= 64, 'an integer 1..64'), DEFAULT_GROUP_SIZE)
    .option('--force', 'write into a folder made with another model or other settings (images that do not match are made again)')
    .option('--no-contact-sheet', 'skip contact.png');
  addSamplingOptions(command).action(async (o: BatchCliOptions) => runCommand(o.json === true, () => batchAction(o)));
}

/** The PNGs `spec` names: a folder's *.png, a glob on the file name, or one file. */
export async function findLayoutFiles(spec: string): Promise<string[]> {
  const isDir = await stat(spec).then(
    (s) => s.isDirectory(),
    () => false,
  );
  let dir: string;
  let pattern: RegExp;
  if (isDir) {
    dir = spec;
    pattern = /\.png$/i;
  } else if (/[*?]/.test(spec)) {
    dir = path.dirname(spec);
    if (/[*?]/.test(dir)) throw new TesseraError('BAD_INPUT', `--layouts: wildcards are only supported in the file name, not in folders ("${spec}").`);
    const base = path.basename(spec).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
    pattern = new RegExp(`^${base}$`);
  } else return [spec];
  const names = await readdir(dir).catch(() => {
    throw new TesseraError('BAD_INPUT', `--layouts: cannot read the folder ${dir}.`);
  });
  const files = names.filter((n) => pattern.test(n) && !n.startsWith('.')).sort();
  if (files.length === 0) throw new TesseraError('BAD_INPUT', `--layouts: no PNG matches "${spec}".`);
  return files.map((n) => path.join(dir, n));
}

async function batchAction(o: BatchCliOptions): Promise<void> {
  const json = o.json === true;
  const say = (message: string): void => {
    if (json) process.stdout.write(`${jsonLine({ type: 'note', message })}\n`);
    else process.stderr.write(`${message}\n`);
  };
  const seeds = parseSeeds(o.seeds);
  const shard = o.shard === undefined ? null : parseShard(o.shard);
  const files = await findLayoutFiles(o.layouts);
  const maxCanvas = parseSize(o.maxSize, '--max-size');
  // Every layout is read and checked (size, structure, data) before the model loads: an unusable one is refused at once.
  const inputs: Array<{ file: string; bytes: Uint8Array; limits: PngLimits }> = [];
  for (const file of files) {
    const limits = pngLimits(`the layout ${file}`, maxCanvas, 'or raise --max-size');
    const bytes = await readInputFile(file, 'layout');
    inspectPng(bytes, limits);
    inputs.push({ file, bytes, limits });
  }
  const engine = createNodeEngine({ backend: o.backend ?? 'auto', maxCanvas, logger: stderrLogger() });
  const jobId = `cli-batch-${process.pid}`;
  const stopInterrupt = onInterrupt(() => engine.cancel(jobId));
  const bar = !json && process.stderr.isTTY === true ? new cliProgress.SingleBar({ format: 'batch [{bar}] {value}/{total} images | {percentage}% of tokens | ETA {eta_s}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic) : null;
  try {
    const modelRef = o.model ?? 'default';
    const info = await engine.loadModel(modelRef, o.backend);
    const model = await engine.model(modelRef);
    say(`model ${info.id} ${info.version} on ${info.backend}${info.backendNote ? ` (${info.backendNote})` : ''}`);
    const size = o.size ? parseSize(o.size, '--size') : null;
    const layouts: NamedLayout[] = [];
    for (const { file, bytes, limits } of inputs) {
      let layout = decodeLabelPng(bytes, model.manifest.classes, limits);
      if (size) layout = resizeLabelMap(layout, size.width, size.height);
      layouts.push({ name: path.basename(file).replace(/\.png$/i, ''), layout });
    }
    const settings = resolveSettings(o, model.manifest, seeds[0] as number, false);
    say(`${layouts.length} layout(s) × ${seeds.length} seed(s)${shard ? `, shard ${shard.index}/${shard.count}` : ''}; ${describeSettings(settings)}; groups of ${o.groupSize}`);

    let finished = 0;
    let total = 0;
    let lastJsonProgress = 0;
    let eta = '?';
    const onEvent = (event: EngineEvent): void => {
      if (event.type === 'job.itemFinished') {
        finished++;
        if (json) process.stdout.write(`${jsonLine(event)}\n`);
        else if (bar) bar.update(finished);
        else if (event.item.state !== 'skipped') process.stderr.write(`[${finished}/${total}] ${event.item.state} ${event.item.file ? path.basename(event.item.file) : `${event.item.layout} seed ${event.item.seed}`} · ETA ${eta}\n`);
      } else if (event.type === 'job.progressed' && event.item === undefined) {
        // The whole batch's progress (per-image events carry `item`).
        eta = event.etaSeconds === null ? '?' : `${event.etaSeconds.toFixed(0)} s`;
        if (bar) bar.update(finished, { eta_s: eta });
        else if (json && Date.now() - lastJsonProgress > 500) {
          lastJsonProgress = Date.now();
          process.stdout.write(`${jsonLine(event)}\n`);
        }
      }
    };
    total = layouts.length * seeds.length;
    if (shard) total = Array.from({ length: total }, (_, i) => i).filter((i) => i % shard.count === shard.index - 1).length;
    bar?.start(total, 0, { eta_s: '?' });
    let report;
    try {
      report = await runBatchJob(
        engine,
        { jobId, model: modelRef, layouts, seeds, settings, outDir: o.out, fs: nodeBatchFs, shard, force: o.force === true, groupSize: o.groupSize, maxCanvas, contactSheet: o.contactSheet, onNote: say },
        onEvent,
      );
    } finally {
      bar?.stop();
    }
    const perMinute = report.workSeconds > 0 ? (report.made / report.workSeconds) * 60 : 0;
    if (json) process.stdout.write(`${jsonLine({ type: 'result', outDir: o.out, made: report.made, skipped: report.skipped, failed: report.failed, seconds: report.summary.seconds, imagesPerMinute: perMinute, contactSheet: report.contactSheet })}\n`);
    else say(`made ${report.made}, already finished ${report.skipped}, failed ${report.failed} in ${report.summary.seconds.toFixed(1)} s (${perMinute.toFixed(1)} images/min)${report.contactSheet ? `; wrote ${path.join(o.out, 'contact.png')}` : ''}`);
    if (report.failed > 0) process.exitCode = 1;
  } finally {
    stopInterrupt();
    await engine.dispose();
  }
}
