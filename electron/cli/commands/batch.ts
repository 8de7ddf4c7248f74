/**
 * `tessera batch`: M layouts × N seeds into a folder, resumable (run the same command again
 * after any interruption, kill -9 included) and shardable (`--shard k/n`, one process per share,
 * all writing into the same folder), or made by workers on other machines through a Redis queue
 * (`--queue redis://…`, batch-queue.ts). See engine/batch/run-batch.ts.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { TesseraError } from '../../../shared/errors.ts';
import { decodeLabelPng } from '../../../shared/labelmap.ts';
import { inspectPng, pngLimits, type PngLimits } from '../../../shared/png-guard.ts';
import type { Manifest } from '../../../shared/manifest.ts';
import type { EngineEvent } from '../../../shared/protocol.ts';
import { DEFAULT_GROUP_SIZE, inShard, parseSeeds, parseShard, runBatchJob, type BatchRunReport, type NamedLayout, type Shard } from '../../../engine/batch/index.ts';
import { resizeLabelMap } from '../../../engine/image.ts';
import { nodeBatchFs } from '../../../engine/node/batch-fs.ts';
import { createNodeEngine, stderrLogger } from '../../../engine/node/create-node-engine.ts';
import { readInputFile } from '../support/files.ts';
import { jsonLine } from '../support/reporter.ts';
import { numberOption, onInterrupt, parseSize, runCommand } from '../support/run-command.ts';
import { addQueueOptions, queueBatchAction } from './batch-queue.ts';
import { addSamplingOptions, describeSettings, resolveSettings, type SamplingCliOptions } from './sampling-options.ts';

export interface BatchCliOptions extends SamplingCliOptions {
  layouts: string;
  seeds: string;
  out: string;
  shard?: string;
  size?: string;
  groupSize: number;
  force?: boolean;
  contactSheet: boolean;
  queue?: string;
  attempts: number;
  backoff: number;
  keepHours: number;
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
  addQueueOptions(command);
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
  if (o.queue !== undefined) {
    await queueBatchAction(o, { seeds, shard, maxCanvas, say, layoutsFor: (manifest) => decodeLayouts(inputs, manifest, o.size) });
    return;
  }
  const engine = createNodeEngine({ backend: o.backend ?? 'auto', maxCanvas, logger: stderrLogger() });
  const jobId = `cli-batch-${process.pid}`;
  const stopInterrupt = onInterrupt(() => engine.cancel(jobId));
  const bar = batchBar(json);
  try {
    const modelRef = o.model ?? 'default';
    const info = await engine.loadModel(modelRef, o.backend);
    const model = await engine.model(modelRef);
    say(`model ${info.id} ${info.version} on ${info.backend}${info.backendNote ? ` (${info.backendNote})` : ''}`);
    const layouts = decodeLayouts(inputs, model.manifest, o.size);
    const settings = resolveSettings(o, model.manifest, seeds[0] as number, false);
    say(`${layouts.length} layout(s) × ${seeds.length} seed(s)${shard ? `, shard ${shard.index}/${shard.count}` : ''}; ${describeSettings(settings)}; groups of ${o.groupSize}`);

    const total = itemsInShard(layouts.length * seeds.length, shard);
    const onEvent = batchProgressPrinter(json, bar, total);
    bar?.start(total, 0, { eta_s: '?', workers: '' });
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
    printBatchReport(json, o.out, report, say);
  } finally {
    stopInterrupt();
    await engine.dispose();
  }
}

/** The layouts as label maps of the model's classes, resized to --size when given, named by file. */
function decodeLayouts(inputs: ReadonlyArray<{ file: string; bytes: Uint8Array; limits: PngLimits }>, manifest: Manifest, sizeText: string | undefined): NamedLayout[] {
  const size = sizeText ? parseSize(sizeText, '--size') : null;
  return inputs.map(({ file, bytes, limits }) => {
    let layout = decodeLabelPng(bytes, manifest.classes, limits);
    if (size) layout = resizeLabelMap(layout, size.width, size.height);
    return { name: path.basename(file).replace(/\.png$/i, ''), layout };
  });
}

/** How many of `count` items the shard makes (item i goes to shard (i mod n) + 1). */
export function itemsInShard(count: number, shard: Shard | null): number {
  return shard ? Array.from({ length: count }, (_, i) => i).filter((i) => inShard(i, shard)).length : count;
}

/** A progress bar on a terminal (not with --json). */
export function batchBar(json: boolean): cliProgress.SingleBar | null {
  return !json && process.stderr.isTTY === true
    ? new cliProgress.SingleBar({ format: 'batch [{bar}] {value}/{total} images | {percentage}% of tokens | ETA {eta_s}{workers}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
    : null;
}

/** Shows a batch's events: the bar, a line per image, or JSON lines (progress at most twice a second). */
export function batchProgressPrinter(json: boolean, bar: cliProgress.SingleBar | null, total: number): (event: EngineEvent) => void {
  let finished = 0;
  let lastJsonProgress = 0;
  let eta = '?';
  return (event: EngineEvent): void => {
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
}

/** The last line of a batch: what it made, and images per minute of work; exit code 1 when an image failed. */
export function printBatchReport(json: boolean, out: string, report: BatchRunReport, say: (message: string) => void, extra: Record<string, unknown> = {}, extraText = ''): void {
  const perMinute = report.workSeconds > 0 ? (report.made / report.workSeconds) * 60 : 0;
  if (json) process.stdout.write(`${jsonLine({ type: 'result', outDir: out, made: report.made, skipped: report.skipped, failed: report.failed, seconds: report.summary.seconds, imagesPerMinute: perMinute, contactSheet: report.contactSheet, ...extra })}\n`);
  else say(`made ${report.made}, already finished ${report.skipped}, failed ${report.failed} in ${report.summary.seconds.toFixed(1)} s (${perMinute.toFixed(1)} images/min)${extraText}${report.contactSheet ? `; wrote ${path.join(out, 'contact.png')}` : ''}`);
  if (report.failed > 0) process.exitCode = 1;
}
