/**
 * Batches on the fixture model, in process: the folder an uninterrupted run writes is the
 * reference; shards 1/3 + 2/3 + 3/3 must write the same files byte for byte, a disk that fills
 * up must stop cleanly and resume to the same files, damaged or foreign files are checked (not
 * trusted), another model's folder is refused unless forced, and events carry per-image and
 * whole-batch progress.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decode, encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TesseraError } from '../../shared/errors.ts';
import type { EngineEvent } from '../../shared/protocol.ts';
import { readResultPng } from '../../electron/cli/support/png.ts';
import { runBatchJob, type BatchJobOptions } from '../../engine/batch/index.ts';
import type { Engine } from '../../engine/engine.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import { nodeBatchFs } from '../../engine/node/batch-fs.ts';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { FIXTURE_DIR } from '../engine/support/fixture.ts';
import { enospc, memoryFs, SETTINGS, testLayouts } from './support.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-batch-'));
let engine: Engine;
let jobs = 0;
const SEEDS = [1, 2, 3, 4, 5];
const reference = path.join(tmp, 'reference');

function options(outDir: string | undefined, extra: Partial<BatchJobOptions> = {}): BatchJobOptions {
  return { jobId: `batch-${++jobs}`, model: FIXTURE_DIR, layouts: testLayouts(), seeds: SEEDS, settings: SETTINGS, outDir, fs: outDir === undefined ? null : nodeBatchFs, groupSize: 3, ...extra };
}

/** Every file of a folder (temp files included, so leftovers show up) → bytes. */
function folderFiles(dir: string, filter = (name: string) => name.endsWith('.png')): Map<string, Buffer> {
  return new Map(
    readdirSync(dir)
      .filter(filter)
      .sort()
      .map((n) => [n, readFileSync(path.join(dir, n))]),
  );
}

beforeAll(async () => {
  engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER, threads: 1 });
  await runBatchJob(engine, options(reference), () => undefined);
});
afterAll(async () => {
  await engine.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

describe('batch generation', () => {
  it('writes one self-describing PNG per image, a manifest and a contact sheet', () => {
    const files = folderFiles(reference, () => true);
    expect([...files.keys()]).toEqual(['batch.json', 'contact.png', ...['lake', 'valley'].flatMap((l) => SEEDS.map((s) => `${l}-seed${s}.png`))].sort());
    const manifest = JSON.parse(files.get('batch.json')!.toString('utf8'));
    expect(manifest).toMatchObject({ format: 'tessera-batch', model: { id: 'tessera-tiny-fixture' }, backend: 'cpu', total: 10, shard: null });
    expect(manifest.model.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.items.every((i: { state: string }) => i.state === 'done')).toBe(true);
    // `tessera generate --reproduce` reads batch images: the same record format and layout.
    const { record, layout } = readResultPng(new Uint8Array(files.get('valley-seed3.png')!));
    expect(record).toMatchObject({ settings: { seed: 3, topK: 8, sampler: 'cached', stride: 2 }, size: { width: 40, height: 48 }, backend: 'cpu' });
    expect(layout.data).toEqual(testLayouts()[1]!.layout.data);
    expect(decode(files.get('contact.png')!).width).toBeGreaterThan(5 * 128);
  });

  it('shards 1/3, 2/3 and 3/3 together write exactly the unsharded files, with per-shard manifests', async () => {
    const dir = path.join(tmp, 'sharded');
    const notes: string[] = [];
    const reports = [];
    for (const index of [1, 2, 3]) reports.push(await runBatchJob(engine, options(dir, { shard: { index, count: 3 }, onNote: (n) => notes.push(n) }), () => undefined));
    expect(reports.map((r) => r.made)).toEqual([4, 3, 3]);
    expect(reports.map((r) => r.summary.items.map((i) => path.basename(i.file!)))[1]).toEqual(['lake-seed2.png', 'lake-seed5.png', 'valley-seed3.png']);
    // Only the run that completes the batch writes the contact sheet.
    expect(reports.map((r) => r.contactSheet)).toEqual([false, false, true]);
    expect(folderFiles(dir)).toEqual(folderFiles(reference));
    expect(readdirSync(dir).filter((n) => n.endsWith('.json')).sort()).toEqual(['batch.shard-1-of-3.json', 'batch.shard-2-of-3.json', 'batch.shard-3-of-3.json']);
    expect(notes.join('\n')).toContain('other shards are not finished yet');
  });

  it('stops cleanly when the disk fills up, and a rerun makes exactly the missing images', async () => {
    const dir = path.join(tmp, 'full-disk');
    let pngWrites = 0;
    const filling = { ...nodeBatchFs, writeFile: async (p: string, d: Uint8Array) => (p.endsWith('.png.all.tmp') && ++pngWrites === 4 ? Promise.reject(enospc()) : nodeBatchFs.writeFile(p, d)) };
    const events: EngineEvent[] = [];
    const error = await runBatchJob(engine, options(dir, { fs: filling }), (e) => events.push(e)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TesseraError);
    expect((error as TesseraError).code).toBe('IO_ERROR');
    expect((error as TesseraError).message).toMatch(/disk is full.*run the same command again/);
    expect(events.at(-1)).toMatchObject({ type: 'job.failed', error: { code: 'IO_ERROR' } });
    // Three images, a manifest that says so, and no temp file.
    expect([...folderFiles(dir, () => true).keys()]).toEqual(['batch.json', 'lake-seed1.png', 'lake-seed2.png', 'lake-seed3.png']);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'batch.json'), 'utf8'));
    expect(manifest.items.map((i: { state: string }) => i.state)).toEqual(['done', 'done', 'done', ...Array(7).fill('pending')]);
    const before = folderFiles(dir);
    const resumed = await runBatchJob(engine, options(dir), () => undefined);
    expect({ made: resumed.made, skipped: resumed.skipped }).toEqual({ made: 7, skipped: 3 });
    expect(resumed.summary.items.filter((i) => i.state === 'skipped').map((i) => path.basename(i.file!))).toEqual([...before.keys()]);
    expect(folderFiles(dir)).toEqual(folderFiles(reference));
  });

  it('checks finished images instead of trusting the manifest: damaged or mismatched ones are made again, stale temp files removed', async () => {
    const dir = path.join(tmp, 'damaged');
    await runBatchJob(engine, options(dir, { seeds: [1, 2, 3] }), () => undefined);
    const truncated = readFileSync(path.join(dir, 'lake-seed1.png'));
    writeFileSync(path.join(dir, 'lake-seed1.png'), truncated.subarray(0, truncated.length - 40));
    // Another seed's image under this name: it decodes, but its tEXt says seed 3.
    writeFileSync(path.join(dir, 'lake-seed2.png'), readFileSync(path.join(dir, 'lake-seed3.png')));
    writeFileSync(path.join(dir, '.valley-seed1.png.all.tmp'), 'half a file');
    const notes: string[] = [];
    const again = await runBatchJob(engine, options(dir, { seeds: [1, 2, 3], onNote: (n) => notes.push(n) }), () => undefined);
    expect({ made: again.made, skipped: again.skipped }).toEqual({ made: 2, skipped: 4 });
    expect(notes.join('\n')).toMatch(/removed 1 unfinished file/);
    expect(notes.join('\n')).toMatch(/lake-seed1\.png: not a readable PNG/);
    expect(notes.join('\n')).toMatch(/lake-seed2\.png: its parameters differ/);
    for (const name of ['lake-seed1.png', 'lake-seed2.png']) expect(readFileSync(path.join(dir, name)).equals(readFileSync(path.join(reference, name)))).toBe(true);
    expect(readdirSync(dir).some((n) => n.endsWith('.tmp'))).toBe(false);
  });

  it('refuses a folder made with another model or other settings, unless forced', async () => {
    const dir = path.join(tmp, 'foreign');
    await runBatchJob(engine, options(dir, { seeds: [1] }), () => undefined);
    const manifestFile = path.join(dir, 'batch.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, model: { id: 'other-model', version: '2', hash: 'f'.repeat(64) } }));
    const refused = await runBatchJob(engine, options(dir, { seeds: [1] }), () => undefined).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'BAD_INPUT' });
    expect((refused as Error).message).toMatch(/already holds a batch made with model other-model 2 .*CLI: --force; studio: Mix into this folder/);
    expect((refused as TesseraError).details).toMatchObject({ batchConflict: true, file: 'batch.json' });
    const settings = await runBatchJob(engine, options(path.join(tmp, 'reference'), { settings: { ...SETTINGS, topK: 4 } }), () => undefined).catch((e: unknown) => e);
    expect((settings as Error).message).toMatch(/topK 8 instead of 4/);
    const notes: string[] = [];
    const forced = await runBatchJob(engine, options(dir, { seeds: [1], force: true, onNote: (n) => notes.push(n) }), () => undefined);
    expect(forced.skipped).toBe(2);
    expect(notes.join('\n')).toMatch(/Mixing them \(forced\)/);

    // Without a manifest, the images themselves say which model made them.
    const png = decode(readFileSync(path.join(dir, 'lake-seed1.png')));
    const text = { ...png.text, 'tessera:batch': png.text['tessera:batch']!.replace(/"hash":"[0-9a-f]+"/, `"hash":"${'e'.repeat(64)}"`) };
    writeFileSync(path.join(dir, 'lake-seed1.png'), encode({ width: png.width, height: png.height, data: png.data, channels: 3, depth: 8, text }));
    rmSync(manifestFile);
    const foreignPng = await runBatchJob(engine, options(dir, { seeds: [1] }), () => undefined).catch((e: unknown) => e);
    expect((foreignPng as Error).message).toMatch(/lake-seed1\.png was made with model tessera-tiny-fixture .*CLI: --force/);
    expect((foreignPng as TesseraError).details).toMatchObject({ batchConflict: true });
  });

  it('streams results as job.itemFinished without a folder, with per-image and whole-batch progress', async () => {
    const events: EngineEvent[] = [];
    const report = await runBatchJob(engine, options(undefined, { seeds: [4, 5], layouts: testLayouts().slice(0, 1) }), (e) => events.push(e));
    expect(report.summary.outDir).toBeUndefined();
    const finished = events.filter((e): e is Extract<EngineEvent, { type: 'job.itemFinished' }> => e.type === 'job.itemFinished');
    expect(finished.map((e) => [e.index, e.item.seed, e.item.state, e.item.file])).toEqual([
      [0, 4, 'done', undefined],
      [1, 5, 'done', undefined],
    ]);
    // The same pixels as the folder run.
    const ref = decode(readFileSync(path.join(reference, 'lake-seed5.png')));
    const rgba = finished[1]!.result!.image.rgba;
    for (let p = 0; p < 48 * 40; p++) for (let c = 0; c < 3; c++) expect(rgba[4 * p + c]).toBe(ref.data[3 * p + c]);
    const progress = events.filter((e): e is Extract<EngineEvent, { type: 'job.progressed' }> => e.type === 'job.progressed');
    const whole = progress.filter((e) => e.item === undefined);
    expect(whole.at(-1)).toMatchObject({ tokensDone: 60, tokensTotal: 60, etaSeconds: 0 });
    expect(new Set(progress.filter((e) => e.item).map((e) => e.item!.index))).toEqual(new Set([0, 1]));
    expect(events.at(-1)).toMatchObject({ type: 'job.finished' });
  });

  it('cancels between forwards and leaves a resumable manifest', async () => {
    const fs = memoryFs();
    let cancelled = false;
    const opts = options('/out', { fs, seeds: [1, 2, 3, 4, 5, 6], groupSize: 1 });
    const error = await runBatchJob(engine, opts, (e) => {
      if (e.type === 'job.itemFinished' && !cancelled) {
        cancelled = true;
        engine.cancel(opts.jobId);
      }
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CANCELLED' });
    const manifest = JSON.parse(Buffer.from(fs.files.get('/out/batch.json')!).toString('utf8'));
    expect(manifest.items.filter((i: { state: string }) => i.state === 'done')).toHaveLength(1);
    expect(manifest.items.some((i: { state: string }) => i.state === 'running')).toBe(false);
  });
});
