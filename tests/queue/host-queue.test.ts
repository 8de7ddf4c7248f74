/**
 * The studio's path to a queue, in process: the engine host's job.batch with `queue` (what the
 * Batch panel sends) against a private redis-server and a real worker on the fixture model. The
 * images come back as job.itemFinished with a full GenerationResult for the gallery (pixels,
 * tokens, entropy), the folder is written, job.finished closes the job; job.cancel stops waiting.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent, EngineMessage, Reply } from '../../shared/protocol.ts';
import { createEngineHost } from '../../electron/host/engine-host.ts';
import { runBatchJob } from '../../engine/batch/index.ts';
import { nodeBatchFs } from '../../engine/node/batch-fs.ts';
import type { Engine } from '../../engine/engine.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { startQueueWorker, type QueueWorkerHandle } from '../../electron/queue/queue-worker.ts';
import { FIXTURE_DIR } from '../engine/support/fixture.ts';
import { SETTINGS, testLayouts } from '../batch/support.ts';
import { NO_REDIS_REASON, redisServerPath, startRedis, type RedisServer } from './redis-server.ts';

const binary = redisServerPath();
if (!binary) console.warn(`SKIPPED tests/queue/host-queue.test.ts: ${NO_REDIS_REASON}`);

describe.skipIf(!binary)('the engine host with a queue', () => {
  let redis: RedisServer;
  let engine: Engine;
  let workerEngine: Engine;
  let worker: QueueWorkerHandle;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-host-queue-'));
  beforeAll(async () => {
    redis = await startRedis(binary as string);
    engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER, threads: 1 });
    workerEngine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER, threads: 1 });
    worker = await startQueueWorker({ url: redis.url, engine: workerEngine, model: FIXTURE_DIR, backend: 'cpu', concurrency: 3, name: 'in-process', lockDurationMs: 5000, maxStalledCount: 1, onEvent: () => undefined });
  });
  afterAll(async () => {
    await worker?.close();
    await Promise.all([engine?.dispose(), workerEngine?.dispose()]);
    await redis?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('runs job.batch on the queue and answers queue.status', async () => {
    const messages: EngineMessage[] = [];
    const host = createEngineHost({ engine, send: (m) => messages.push(m), logger: SILENT_LOGGER });
    const reply = (id: string): Promise<Reply> =>
      new Promise((resolve) => {
        const poll = (): void => {
          const r = messages.find((m): m is Reply => m.type === 'reply' && m.id === id);
          if (r) resolve(r);
          else setTimeout(poll, 20);
        };
        poll();
      });
    const layouts = testLayouts();
    host.handle({ type: 'queue.status', id: 's', url: redis.url, model: FIXTURE_DIR, backend: 'cpu' });
    expect(await reply('s')).toMatchObject({ ok: true, value: { workers: [{ name: 'in-process' }] } });
    const outDir = path.join(tmp, 'out');
    host.handle({ type: 'job.batch', id: 'b', jobId: 'studio-batch', model: FIXTURE_DIR, layouts, seeds: [1, 2, 3], settings: SETTINGS, outDir, queue: { url: redis.url, backend: 'cpu' } });
    const done = await reply('b');
    expect(done, JSON.stringify(done)).toMatchObject({ ok: true, value: { jobId: 'studio-batch', outDir } });
    const finished = messages.filter((m): m is Extract<EngineEvent, { type: 'job.itemFinished' }> => m.type === 'job.itemFinished');
    expect(finished).toHaveLength(6);
    for (const event of finished) {
      const result = event.result;
      expect(event.item.state).toBe('done');
      expect(result?.image.rgba.length).toBe((result?.image.width ?? 0) * (result?.image.height ?? 0) * 4);
      expect(result?.tokens.length).toBe((result?.grid.rows ?? 0) * (result?.grid.cols ?? 0));
      expect(result?.entropy.length).toBe(result?.tokens.length);
      expect(result?.settings.seed).toBe(event.item.seed);
    }
    expect(messages.some((m) => m.type === 'job.finished' && m.jobId === 'studio-batch')).toBe(true);
    expect(readdirSync(outDir).filter((n) => n.endsWith('.png')).sort()).toEqual(['contact.png', ...['lake', 'valley'].flatMap((l) => [1, 2, 3].map((s) => `${l}-seed${s}.png`))].sort());
    // The worker sampled up to 3 jobs of a layout in one forward; the files are still the local batch's.
    const local = path.join(tmp, 'local');
    await runBatchJob(engine, { jobId: 'local', model: FIXTURE_DIR, layouts, seeds: [1, 2, 3], settings: SETTINGS, outDir: local, fs: nodeBatchFs }, () => undefined);
    for (const name of readdirSync(local)) expect(readFileSync(path.join(outDir, name)).equals(readFileSync(path.join(local, name))), name).toBe(true);

    // job.cancel stops waiting for a queue batch (here: no worker serves the wasm queue); its jobs stay queued.
    host.handle({ type: 'job.batch', id: 'w', jobId: 'waiting-batch', model: FIXTURE_DIR, layouts, seeds: [7], settings: SETTINGS, outDir: path.join(tmp, 'wasm'), queue: { url: redis.url, backend: 'wasm' } });
    await new Promise<void>((resolve) => {
      const poll = (): void => (messages.some((m) => m.type === 'job.progressed' && m.jobId === 'waiting-batch') ? resolve() : void setTimeout(poll, 20));
      poll();
    });
    host.handle({ type: 'job.cancel', id: 'c', jobId: 'waiting-batch' });
    expect(await reply('c')).toMatchObject({ ok: true, value: { cancelled: true } });
    expect(await reply('w')).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(messages.some((m) => m.type === 'job.failed' && m.jobId === 'waiting-batch')).toBe(true);
  });
});
