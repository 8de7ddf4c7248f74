/**
 * Redis connections against a private redis-server: passwords and ACL users in the URL, a refused
 * password said as such, and a queue's status listing the worker connected to it (a real worker
 * on the fixture model, in this process).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeRedis } from '../../electron/queue/connection.ts';
import { queueStatus } from '../../electron/queue/queue-status.ts';
import { startQueueWorker, type WorkerEvent } from '../../electron/queue/queue-worker.ts';
import type { Engine } from '../../engine/engine.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { FIXTURE_DIR, fixtureManifest } from '../engine/support/fixture.ts';
import { NO_REDIS_REASON, redisServerPath, startRedis, type RedisServer } from './redis-server.ts';

const binary = redisServerPath();
if (!binary) console.warn(`SKIPPED tests/queue/connection.test.ts: ${NO_REDIS_REASON}`);

describe.skipIf(!binary)('Redis connections', () => {
  let redis: RedisServer;
  let engine: Engine;
  beforeAll(async () => {
    redis = await startRedis(binary as string, ['--requirepass', 'door', '--user', 'tess', 'on', '>pw', '~*', '&*', '+@all']);
    engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER, threads: 1 });
  });
  afterAll(async () => {
    await engine?.dispose();
    await redis?.stop();
  });

  it('uses the password or ACL user of the URL, and says when it is refused', async () => {
    const at = `127.0.0.1:${redis.port}`;
    await expect(probeRedis(`redis://:door@${at}`)).resolves.toEqual([]);
    await expect(probeRedis(`redis://tess:pw@${at}/0`)).resolves.toEqual([]);
    await expect(probeRedis(`redis://${at}`)).rejects.toThrow(/Redis at redis:\/\/127\.0\.0\.1:\d+ refused the credentials \(NOAUTH.*Give them in the URL: redis:\/\/user:password@host:port/);
    await expect(probeRedis(`redis://tess:wrong@${at}`)).rejects.toThrow(/refused the credentials \(WRONGPASS/);
    await expect(probeRedis(`redis://tess:wrong@${at}`)).rejects.not.toThrow(/wrong@/);
  });

  it("lists the workers connected to a model's queue", async () => {
    const url = `redis://tess:pw@127.0.0.1:${redis.port}`;
    const events: WorkerEvent[] = [];
    const handle = await startQueueWorker({ url, engine, model: FIXTURE_DIR, backend: 'cpu', concurrency: 2, name: 'box a/1', lockDurationMs: 5000, maxStalledCount: 1, onEvent: (e) => events.push(e) });
    try {
      expect(events[0]).toMatchObject({ type: 'worker.ready', name: 'box-a-1', queue: handle.queue, backend: 'cpu', concurrency: 2 });
      const status = await queueStatus(url, fixtureManifest(), 'cpu');
      expect(status).toMatchObject({ url: `redis://tess:***@127.0.0.1:${redis.port}`, queue: handle.queue, backend: 'cpu', model: handle.model, jobs: { waiting: 0, active: 0, delayed: 0, failed: 0 } });
      expect(status.workers.map((w) => w.name)).toEqual(['box-a-1']);
      // Another backend's queue is another queue: no workers there.
      expect((await queueStatus(url, fixtureManifest(), 'wasm')).workers).toEqual([]);
    } finally {
      await handle.close();
    }
    expect((await queueStatus(url, fixtureManifest(), 'cpu')).workers).toEqual([]);
  });
});
