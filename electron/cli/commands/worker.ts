/**
 * `tessera worker --queue redis://HOST:PORT`: a long-running engine worker for distributed batches
 * (electron/queue/queue-worker.ts, docs/DISTRIBUTED.md). SIGINT or SIGTERM: finish the jobs in
 * hand and exit; a second one: hand them back to the queue and exit; a third: exit at once (the
 * other workers' stalled-job check returns the jobs after --lock-duration).
 */
import os from 'node:os';
import { Option, type Command } from 'commander';
import { BACKENDS, type Backend } from '../../../shared/protocol.ts';
import { redactQueueUrl } from '../../../shared/queue-target.ts';
import { createNodeEngine, stderrLogger } from '../../../engine/node/create-node-engine.ts';
import { startQueueWorker, type WorkerEvent } from '../../queue/queue-worker.ts';
import { jsonLine } from '../support/reporter.ts';
import { numberOption, parseSize, runCommand } from '../support/run-command.ts';

interface WorkerCliOptions {
  queue: string;
  concurrency: number;
  model?: string;
  backend: Backend;
  name?: string;
  lockDuration: number;
  maxStalled: number;
  maxSize: string;
  json?: boolean;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('Make images for `batch --queue` on this machine: takes jobs from a Redis queue, runs them on this engine, returns each PNG. Ctrl-C finishes the current job; twice hands it back.')
    .requiredOption('--queue <url>', 'the Redis queue: redis://[user:password@]host:port[/db], rediss:// for TLS')
    .option('--concurrency <n>', 'jobs held at once; those of one layout are sampled together in one forward', numberOption('--concurrency', (n) => Number.isInteger(n) && n >= 1 && n <= 64, 'an integer 1..64'), 1)
    .option('--model <id|path>', 'model id or bundle folder (default: the first embedded model); the worker serves only this model')
    .addOption(new Option('--backend <backend>', 'runtime').choices(BACKENDS).default('auto'))
    .option('--name <name>', 'how the studio and `getWorkers()` list this worker (default: host-pid)')
    .option('--lock-duration <ms>', 'a job whose worker stops renewing its lock this long is given to another worker', numberOption('--lock-duration', (n) => Number.isInteger(n) && n >= 1000 && n <= 600_000, 'milliseconds 1000..600000'), 30_000)
    .option('--max-stalled <n>', 'a job whose worker dies more often than this is reported failed', numberOption('--max-stalled', (n) => Number.isInteger(n) && n >= 0 && n <= 100, 'an integer 0..100'), 2)
    .option('--max-size <WxH>', 'largest canvas accepted', '2048x2048')
    .option('--json', 'events as JSON lines on stdout')
    .action(async (o: WorkerCliOptions) => runCommand(o.json === true, () => workerAction(o)));
}

async function workerAction(o: WorkerCliOptions): Promise<void> {
  const json = o.json === true;
  const engine = createNodeEngine({ backend: o.backend, maxCanvas: parseSize(o.maxSize, '--max-size'), logger: stderrLogger() });
  const print = (event: WorkerEvent): void => {
    if (json) {
      process.stdout.write(`${jsonLine(event)}\n`);
      return;
    }
    const line =
      event.type === 'worker.ready'
        ? `worker ${event.name}: ${event.model.id} ${event.model.version} on ${event.backend}, queue ${event.queue} at ${redactQueueUrl(o.queue)}, ${event.concurrency} at a time. Waiting for jobs (Ctrl-C to stop).`
        : event.type === 'worker.jobStarted'
          ? `started ${event.file}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`
          : event.type === 'worker.jobCompleted'
            ? `made ${event.file} in ${event.seconds.toFixed(1)} s`
            : event.type === 'worker.jobFailed'
              ? `failed ${event.jobId}: [${event.error.code}] ${event.error.message}${event.willRetry ? ' (will be retried)' : ''}`
              : event.type === 'worker.jobHandedBack'
                ? `handed ${event.jobId} back to the queue`
                : event.message;
    process.stderr.write(`${line}\n`);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  let stops = 0;
  let handle: Awaited<ReturnType<typeof startQueueWorker>> | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    stops++;
    if (stops === 1) {
      print({ type: 'worker.note', name: o.name ?? '', message: `${signal}: finishing the job(s) in hand, then exiting (again to hand them back to the queue)` });
      void handle?.close();
      if (!handle) process.exit(130);
    } else if (stops === 2) {
      print({ type: 'worker.note', name: o.name ?? '', message: `${signal}: handing the job(s) in hand back to the queue` });
      void handle?.handBack();
    } else process.exit(130);
  };
  for (const s of signals) process.on(s, onSignal);
  try {
    handle = await startQueueWorker({
      url: o.queue,
      engine,
      model: o.model ?? 'default',
      backend: o.backend,
      concurrency: o.concurrency,
      name: o.name ?? `${os.hostname()}-${process.pid}`,
      lockDurationMs: o.lockDuration,
      maxStalledCount: o.maxStalled,
      onEvent: print,
    });
    await handle.closed;
    print({ type: 'worker.note', name: o.name ?? '', message: 'worker stopped' });
  } finally {
    for (const s of signals) process.off(s, onSignal);
    await engine.dispose();
  }
}
