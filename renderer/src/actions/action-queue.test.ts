import { describe, expect, it } from 'vitest';
import { TesseraError } from '../../../shared/errors.ts';
import type { QueueStatus } from '../../../shared/queue-target.ts';
import { createStudioStore } from '../state/store.ts';
import { runBatch } from './action-batch.ts';
import { refreshQueueStatus } from './action-queue.ts';
import { fakeEngine, modelInfo } from './fake-engine.ts';

const status = (url: string, backend: QueueStatus['backend'], workers: string[]): QueueStatus => ({
  url,
  queue: `generate.${backend}.0123456789abcdef`,
  model: { id: 'm', version: '1', hash: '0'.repeat(64) },
  backend,
  workers: workers.map((name) => ({ name, addr: '10.0.0.2:51000', ageSeconds: 12 })),
  jobs: { waiting: 3, active: 2, delayed: 0, failed: 0 },
});

describe('the Batch panel’s queue', () => {
  it('asks the engine host for the workers of the active model’s queue', async () => {
    const store = createStudioStore();
    store.getState().setActiveModel(modelInfo('m', ['sky']));
    store.getState().setBatchQueueUrl('redis://gpu-box:6379');
    store.getState().setBatchQueueBackend('webgpu');
    const { client, sent } = fakeEngine({ 'queue.status': (p) => status(p.url, p.backend ?? 'cpu', ['gpu-a', 'gpu-b']) });
    await refreshQueueStatus(client, store);
    expect(sent).toEqual([{ type: 'queue.status', payload: { url: 'redis://gpu-box:6379', model: 'm', backend: 'webgpu' } }]);
    expect(store.getState().queueStatus?.workers.map((w) => w.name)).toEqual(['gpu-a', 'gpu-b']);
    expect(store.getState().queueStatusError).toBeNull();
  });

  it('shows why a queue cannot be used, and asks nothing for a malformed URL or an empty field', async () => {
    const store = createStudioStore();
    store.getState().setActiveModel(modelInfo('m', ['sky']));
    const { client, sent } = fakeEngine({
      'queue.status': () => {
        throw new TesseraError('QUEUE_UNAVAILABLE', 'Cannot reach Redis at redis://gpu-box:6379 (ECONNREFUSED). Start redis-server there.');
      },
    });
    await refreshQueueStatus(client, store);
    expect(sent).toEqual([]);
    store.getState().setBatchQueueUrl('gpu-box:6379');
    await refreshQueueStatus(client, store);
    expect(sent).toEqual([]);
    expect(store.getState().queueStatusError).toMatch(/redis:\/\/host:port/);
    store.getState().setBatchQueueUrl('redis://gpu-box:6379');
    await refreshQueueStatus(client, store);
    expect(store.getState().queueStatusError).toMatch(/Cannot reach Redis .* Start redis-server there/);
    expect(store.getState().queueStatus).toBeNull();
  });

  it('sends the batch to the queue when one is set, and to this engine when the field is empty', async () => {
    const store = createStudioStore();
    store.getState().setActiveModel(modelInfo('m', ['sky']));
    store.getState().resizeCanvas(32, 32, 0);
    store.getState().setBatchSeeds('1-2');
    const { client, sent } = fakeEngine({ 'job.batch': (p) => ({ jobId: p.jobId, items: [], outDir: `/out/${p.outDir ?? ''}`, seconds: 1 }) });
    store.getState().setBatchQueueUrl(' redis://user:pw@gpu-box:6379 ');
    await runBatch(client, store);
    expect((sent[0]?.payload as { queue?: unknown }).queue).toEqual({ url: 'redis://user:pw@gpu-box:6379', backend: 'cpu' });
    store.getState().setBatchQueueUrl('');
    await runBatch(client, store);
    expect(sent[1]?.payload).not.toHaveProperty('queue');
  });
});
