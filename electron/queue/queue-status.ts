/**
 * A queue as the studio's Batch panel shows it: the workers connected to the queue of a model on a
 * backend (BullMQ's getWorkers, from Redis's CLIENT LIST) and how many jobs wait, run, are delayed
 * for a retry, or failed.
 */
import { Queue } from 'bullmq';
import type { Manifest } from '../../shared/manifest.ts';
import type { ActiveBackend } from '../../shared/protocol.ts';
import { QUEUE_PREFIX, queueName, redactQueueUrl, type QueueStatus, type QueueWorker } from '../../shared/queue-target.ts';
import { modelIdentity } from '../../engine/batch/index.ts';
import { probeRedis, redisOptions } from './connection.ts';

export async function queueStatus(url: string, manifest: Manifest, backend: ActiveBackend): Promise<QueueStatus> {
  await probeRedis(url);
  const model = modelIdentity(manifest);
  const name = queueName(model.hash, backend);
  const queue = new Queue(name, { connection: { ...redisOptions(url), maxRetriesPerRequest: 1 }, prefix: QUEUE_PREFIX });
  queue.on('error', () => undefined);
  try {
    const [clients, counts] = await Promise.all([queue.getWorkers(), queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed')]);
    const workers: QueueWorker[] = clients.map((c) => ({
      // Named workers' connections are named `<prefix>:<queue in base64>:w:<name>` (BullMQ puts that in rawname).
      name: /:w:(.+)$/.exec(String(c.rawname ?? ''))?.[1] ?? 'unnamed',
      addr: String(c.addr ?? ''),
      ageSeconds: Math.max(0, Number(c.age ?? 0) || 0),
    }));
    const n = (key: string): number => Math.max(0, Math.trunc(counts[key] ?? 0));
    return {
      url: redactQueueUrl(url),
      queue: name,
      model,
      backend,
      workers: workers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      jobs: { waiting: n('waiting') + n('prioritized'), active: n('active'), delayed: n('delayed'), failed: n('failed') },
    };
  } finally {
    await queue.close();
  }
}
