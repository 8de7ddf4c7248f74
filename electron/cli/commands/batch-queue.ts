/**
 * `tessera batch … --queue redis://HOST:PORT`: the batch planned and written here, its images made
 * by `tessera worker` processes (electron/queue/queue-batch.ts). Only the model's manifest is read
 * here (for its classes, defaults and hashes): the weights need not be on this machine.
 */
import type { Command } from 'commander';
import type { PixelSize } from '../../../shared/grid.ts';
import type { Manifest } from '../../../shared/manifest.ts';
import type { ActiveBackend } from '../../../shared/protocol.ts';
import { redactQueueUrl } from '../../../shared/queue-target.ts';
import type { NamedLayout, Shard } from '../../../engine/batch/index.ts';
import { nodeBatchFs } from '../../../engine/node/batch-fs.ts';
import { NodeBundleCatalog } from '../../../engine/node/bundle-catalog.ts';
import { runQueueBatch } from '../../queue/queue-batch.ts';
import { numberOption, onInterrupt } from '../support/run-command.ts';
import { batchBar, batchProgressPrinter, itemsInShard, printBatchReport, type BatchCliOptions } from './batch.ts';
import { describeSettings, resolveSettings } from './sampling-options.ts';

export function addQueueOptions(command: Command): Command {
  return command
    .option('--queue <url>', 'make the images on `tessera worker` processes through this Redis queue: redis://[user:password@]host:port[/db], rediss:// for TLS (docs/DISTRIBUTED.md)')
    .option('--attempts <n>', 'with --queue: tries per image before it is reported failed', numberOption('--attempts', (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'an integer 1..100'), 3)
    .option('--backoff <ms>', 'with --queue: wait before the first retry, doubling each time', numberOption('--backoff', (n) => Number.isInteger(n) && n >= 0 && n <= 3_600_000, 'milliseconds 0..3600000'), 2000)
    .option('--keep-hours <h>', 'with --queue: how long uncollected results stay in Redis', numberOption('--keep-hours', (n) => n > 0 && n <= 24 * 90, 'hours, at most 2160'), 168);
}

interface Prepared {
  seeds: number[];
  shard: Shard | null;
  maxCanvas: PixelSize;
  say: (message: string) => void;
  layoutsFor: (manifest: Manifest) => NamedLayout[];
}

export async function queueBatchAction(o: BatchCliOptions, p: Prepared): Promise<void> {
  const json = o.json === true;
  const url = o.queue as string;
  const catalog = new NodeBundleCatalog();
  const modelRef = o.model ?? 'default';
  const entry = modelRef === 'default' ? await catalog.defaultModel() : await catalog.resolve(modelRef);
  const manifest = entry.manifest;
  // The workers' backend is in every PNG's record; `auto` cannot be resolved for machines elsewhere.
  const backend: ActiveBackend = o.backend === undefined || o.backend === 'auto' ? 'cpu' : o.backend;
  if (o.backend === undefined || o.backend === 'auto') p.say('--queue: images are made on the cpu backend (give --backend webgpu for GPU workers)');
  const layouts = p.layoutsFor(manifest);
  const settings = resolveSettings(o, manifest, p.seeds[0] as number, false);
  p.say(`model ${manifest.id} ${manifest.version} on ${backend} workers at ${redactQueueUrl(url)}`);
  p.say(`${layouts.length} layout(s) × ${p.seeds.length} seed(s)${p.shard ? `, shard ${p.shard.index}/${p.shard.count}` : ''}; ${describeSettings(settings)}`);
  const total = itemsInShard(layouts.length * p.seeds.length, p.shard);
  const bar = batchBar(json);
  const onEvent = batchProgressPrinter(json, bar, total);
  const abort = new AbortController();
  const stopInterrupt = onInterrupt(() => abort.abort());
  bar?.start(total, 0, { eta_s: '?', workers: '' });
  try {
    const report = await runQueueBatch(
      {
        jobId: `cli-batch-${process.pid}`,
        url,
        manifest,
        backend,
        layouts,
        seeds: p.seeds,
        settings,
        outDir: o.out,
        fs: nodeBatchFs,
        shard: p.shard,
        force: o.force === true,
        maxCanvas: p.maxCanvas,
        contactSheet: o.contactSheet,
        attempts: o.attempts,
        backoffMs: o.backoff,
        keepSeconds: Math.round(o.keepHours * 3600),
        results: false,
        signal: abort.signal,
        onNote: (message) => {
          if (bar && /^\d+ worker\(s\) on /.test(message)) bar.update({ workers: ` | ${message.split(' ')[0] as string} worker(s)` });
          else p.say(message);
        },
      },
      onEvent,
    );
    bar?.stop();
    printBatchReport(json, o.out, report, p.say, { enqueued: report.enqueued, collected: report.collected, queue: report.queue }, `; queued ${report.enqueued}`);
  } finally {
    bar?.stop();
    stopInterrupt();
  }
}
