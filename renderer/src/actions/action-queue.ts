/**
 * The Batch panel's queue: asks the engine host for the status of the Redis queue of the active
 * model (the workers connected to it, the jobs waiting), and keeps the answer or the reason in
 * the store. The host connects to Redis; the renderer never does.
 */
import { QueueUrlSchema } from '../../../shared/queue-target.ts';
import type { EngineClient } from '../bridge/engine-client.ts';
import { selectBatchQueue } from '../state/queue-slice.ts';
import type { StudioStore } from '../state/store.ts';
import { describeError } from './errors.ts';

export async function refreshQueueStatus(client: EngineClient, store: StudioStore): Promise<void> {
  const s = store.getState();
  const queue = selectBatchQueue(s);
  const model = s.activeModel;
  if (!queue || !model) {
    s.setQueueStatus(null, null);
    return;
  }
  if (!QueueUrlSchema.safeParse(queue.url).success) {
    s.setQueueStatus(null, 'A queue is redis://host:port (or redis://user:password@host:port, rediss://… for TLS).');
    return;
  }
  try {
    const status = await client.request('queue.status', { url: queue.url, model: model.id, backend: queue.backend });
    // The answer is for the queue it asked about: drop it if the field changed meanwhile.
    const now = selectBatchQueue(store.getState());
    if (now?.url === queue.url && now.backend === queue.backend) store.getState().setQueueStatus(status, null);
  } catch (error) {
    const now = selectBatchQueue(store.getState());
    if (now?.url === queue.url && now.backend === queue.backend) store.getState().setQueueStatus(null, describeError(error).detail);
  }
}
