/**
 * The page engine's batch output in IndexedDB with the real engine core and the core host (the
 * dispatcher the Worker runs), in Node on fake-indexeddb: a batch into a folder, then a "reload"
 * (a new connection and a new host, as a new Worker gets) where the same folder again skips the
 * finished images and the zip still holds them; a storage that fills up mid-batch ends the job
 * with an IO_ERROR that says what to do (no hang), keeps the images already finished, and once
 * an old folder is deleted the same batch continues where it stopped.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { EngineMessageSchema, type EngineMessage } from '../../shared/protocol.ts';
import { createCoreEngineHost, type EngineHost } from '../../engine/host/engine-host.ts';
import type { Engine } from '../../engine/engine.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { choosePageBatchFs } from '../../web/batch/choose-batch-fs.ts';
import { QUOTA_ADVICE, type IdbFactoryLike } from '../../web/batch/idb-batch-fs.ts';
import type { PageBatchFs } from '../../web/batch/page-batch-fs.ts';
import { zipFolder } from '../../web/batch/zip-folder.ts';
import { FIXTURE_DIR, referenceLayouts } from '../engine/support/fixture.ts';
import { newFactory, storageFull } from './support/fake-idb.ts';

const ID = 'tessera-tiny-fixture';
let engine: Engine;

beforeAll(() => {
  engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER, userDirs: [`${FIXTURE_DIR}/..`] });
});
afterAll(async () => {
  await engine.dispose();
});
afterEach(() => storageFull(null));

type Reply = Extract<EngineMessage, { type: 'reply' }>;
type Summary = { items: Array<{ state: string; seed: number }>; outDir?: string };

/** What one Worker has: the batch FS it chose and a host over the shared engine. */
function pageWorker(factory: IdbFactoryLike): { fs: PageBatchFs; host: EngineHost; batch(id: string, seeds: number[]): Promise<Reply> } {
  const { fs } = choosePageBatchFs({ factory, name: 'tessera-batch-folders' });
  const sent: EngineMessage[] = [];
  const host = createCoreEngineHost({ send: (m) => sent.push(EngineMessageSchema.parse(m)), engine, ownsEngine: false, batchFs: fs });
  const layout = referenceLayouts()[2]!.layout;
  const settings = { seed: 1, temperature: 1, topK: 8, topP: 1, sampler: 'cached' as const, stride: 4, decodedPreviews: false };
  const batch = async (id: string, seeds: number[]): Promise<Reply> => {
    host.handle({ type: 'job.batch', id, jobId: `job-${id}`, model: ID, layouts: [{ name: 'lake', layout }], seeds, settings, outDir: 'web-batch' });
    for (let i = 0; i < 6000; i++) {
      const r = sent.find((m): m is Reply => m.type === 'reply' && m.id === id);
      if (r) return r;
      await new Promise((res) => setTimeout(res, 10));
    }
    throw new Error(`no reply to ${id}: the batch hung`);
  };
  return { fs, host, batch };
}

const states = (reply: Reply): string[] => (reply.ok ? (reply.value as Summary).items.map((i) => i.state) : []);

describe('batch folders of the page engine in IndexedDB', () => {
  it('survive a reload: the same folder again skips the finished images, and the zip still holds them', async () => {
    const factory = newFactory();
    const first = pageWorker(factory);
    const made = await first.batch('r1', [3, 4]);
    expect(made.ok).toBe(true);
    expect(states(made)).toEqual(['done', 'done']);
    const madePngs = await first.fs.filesIn('web-batch');
    await first.host.dispose();

    // A reload: a new Worker, a new connection to the same database.
    const second = pageWorker(factory);
    expect(await second.fs.folders()).toEqual([{ name: 'web-batch', files: 4, bytes: expect.any(Number) as unknown }]);
    const zip = unzipSync((await zipFolder(second.fs, 'web-batch')).bytes);
    const names = Object.keys(zip).sort();
    expect(names).toEqual(['web-batch/batch.json', 'web-batch/contact.png', 'web-batch/lake-seed3.png', 'web-batch/lake-seed4.png']);
    for (const f of madePngs) expect(zip[`web-batch/${f.name}`]).toEqual(f.bytes);
    const resumed = await second.batch('r2', [3, 4]);
    expect(states(resumed)).toEqual(['skipped', 'skipped']);
    await second.host.dispose();
  });

  it('a storage that fills up mid-batch fails the job with advice, keeps the finished images, and the batch continues once there is room', async () => {
    const factory = newFactory();
    const worker = pageWorker(factory);
    await worker.fs.mkdir('old-batch');
    await worker.fs.writeFile('old-batch/big.png', new Uint8Array(4096));
    // Room for seed 5's image; seed 6's does not fit.
    storageFull((key) => key.includes('lake-seed6.png'));
    const failed = await worker.batch('q1', [5, 6]);
    expect(failed.ok).toBe(false);
    const error = failed.ok ? null : failed.error;
    expect(error?.code).toBe('IO_ERROR');
    expect(error?.message).toBe(`Could not write web-batch/lake-seed6.png: ${QUOTA_ADVICE}`);
    expect(await worker.fs.list('web-batch')).toContain('lake-seed5.png');
    expect((await worker.fs.list('web-batch')).some((n) => n.endsWith('.tmp'))).toBe(false);

    // What the message tells the user to do: delete an old folder, run the same batch again.
    storageFull(null);
    await worker.fs.removeFolder('old-batch');
    expect((await worker.fs.folders()).map((f) => f.name)).toEqual(['web-batch']);
    const again = await worker.batch('q2', [5, 6]);
    expect(states(again)).toEqual(['skipped', 'done']);
    await worker.host.dispose();
  });
});
