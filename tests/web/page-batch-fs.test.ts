/**
 * The static build's batch file systems (web/batch/): the IndexedDB one (the default; here on
 * fake-indexeddb, the same code path as in a browser) and the in-memory fallback keep the
 * semantics of engine/batch/batch-fs.ts alike — writeFile needs the parent folder, rename
 * replaces atomically, temporaries are dot files — plus the page's extras (filesIn, totalBytes,
 * folders, removeFolder). The IndexedDB one keeps everything across a new connection (a reload,
 * an engine Worker restart), rolls a transaction the browser aborts back whole, and turns a full
 * storage (QuotaExceededError) into an error that says what to do; choosePageBatchFs falls back
 * to memory, saying so, when the browser will not open IndexedDB.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ioError, joinPath, removeStaleTemps, tempName, writeAtomic } from '../../engine/batch/batch-fs.ts';
import { choosePageBatchFs } from '../../web/batch/choose-batch-fs.ts';
import { openIdbBatchFs, QUOTA_ADVICE, storageError, type IdbFactoryLike } from '../../web/batch/idb-batch-fs.ts';
import { createMemoryBatchFs } from '../../web/batch/memory-batch-fs.ts';
import type { PageBatchFs } from '../../web/batch/page-batch-fs.ts';
import { zipFolder } from '../../web/batch/zip-folder.ts';
import { newFactory, storageFull } from './support/fake-idb.ts';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const text = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

afterEach(() => storageFull(null));

const implementations: Array<[string, () => Promise<PageBatchFs>]> = [
  ['IndexedDB', () => openIdbBatchFs({ factory: newFactory() })],
  ['memory', async () => createMemoryBatchFs()],
];

describe.each(implementations)('the %s batch FS keeps BatchFs semantics', (_name, make) => {
  it('writeFile needs the parent folder; mkdir makes every level; list names files directly in a folder', async () => {
    const fs = await make();
    await expect(fs.writeFile('a/b/x.png', bytes(1))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await fs.list('a')).toEqual([]);
    await fs.writeFile('top.txt', bytes(9));
    await fs.mkdir('a/b');
    await fs.mkdir('a/b');
    await fs.writeFile('a/b/x.png', bytes(1, 2));
    await fs.writeFile('a/y.png', bytes(3));
    expect(await fs.list('a')).toEqual(['y.png']);
    expect((await fs.list('a/b/')).sort()).toEqual(['x.png']);
    expect(await fs.list('./a/b/../b')).toEqual(['x.png']);
    expect(await fs.list('')).toEqual(['top.txt']);
    expect(await fs.list('nope')).toEqual([]);
  });

  it('reads back a copy of what was written: null when missing, the caller may reuse its buffer', async () => {
    const fs = await make();
    await fs.mkdir('out');
    expect(await fs.readFile('out/none.png')).toBeNull();
    const buffer = bytes(1, 2, 3, 4, 5, 6);
    await fs.writeFile('out/view.bin', buffer.subarray(2, 4));
    buffer.fill(0);
    const back = await fs.readFile('out/view.bin');
    expect(Array.from(back ?? [])).toEqual([3, 4]);
    expect(back?.buffer.byteLength).toBe(2);
    back?.fill(7);
    expect(Array.from((await fs.readFile('out/view.bin')) ?? [])).toEqual([3, 4]);
  });

  it('rename replaces the target, needs the target folder, and leaves the source when it fails', async () => {
    const fs = await make();
    await fs.mkdir('out');
    await fs.writeFile('out/a.png', utf8('old'));
    await fs.writeFile('out/.a.png.s0.tmp', utf8('new'));
    await fs.rename('out/.a.png.s0.tmp', 'out/a.png');
    expect(text(await fs.readFile('out/a.png'))).toBe('new');
    expect(await fs.list('out')).toEqual(['a.png']);
    await expect(fs.rename('out/missing', 'out/b.png')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fs.rename('out/a.png', 'gone/a.png')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(text(await fs.readFile('out/a.png'))).toBe('new');
    await fs.rename('out/a.png', 'out/a.png');
    expect(text(await fs.readFile('out/a.png'))).toBe('new');
  });

  it('remove is quiet about missing files', async () => {
    const fs = await make();
    await fs.mkdir('out');
    await fs.writeFile('out/a.png', bytes(1));
    await fs.remove('out/a.png');
    await fs.remove('out/a.png');
    expect(await fs.readFile('out/a.png')).toBeNull();
    expect(await fs.list('out')).toEqual([]);
  });

  it("the engine's atomic write and stale-temp sweep work on it", async () => {
    const fs = await make();
    await fs.mkdir('run');
    await writeAtomic(fs, 'run', 'lake-0001.png', utf8('png'), 's0');
    expect(await fs.list('run')).toEqual(['lake-0001.png']);
    // What a killed run leaves: its own temp file, and another shard's.
    await fs.writeFile(joinPath('run', tempName('lake-0002.png', 's0')), utf8('half'));
    await fs.writeFile(joinPath('run', tempName('lake-0003.png', 's1')), utf8('other'));
    expect(await removeStaleTemps(fs, 'run', 's0', new Set(['lake-0002.png']))).toEqual([tempName('lake-0002.png', 's0')]);
    expect((await fs.list('run')).sort()).toEqual([tempName('lake-0003.png', 's1'), 'lake-0001.png'].sort());
  });

  it('filesIn leaves temporaries out; totalBytes and folders count everything; removeFolder removes a whole folder', async () => {
    const fs = await make();
    await fs.mkdir('b/inner');
    await fs.mkdir('a');
    await fs.writeFile('b/z.png', bytes(1, 2, 3));
    await fs.writeFile('b/batch.json', utf8('{}'));
    await fs.writeFile('b/.z.png.s0.tmp', bytes(1));
    await fs.writeFile('b/inner/q.png', bytes(1, 2));
    await fs.writeFile('a/one.png', bytes(5));
    expect((await fs.filesIn('b')).map((f) => f.name)).toEqual(['batch.json', 'z.png']);
    expect(Array.from((await fs.filesIn('b')).find((f) => f.name === 'z.png')?.bytes ?? [])).toEqual([1, 2, 3]);
    expect(await fs.totalBytes()).toBe(3 + 2 + 1 + 2 + 1);
    expect(await fs.folders()).toEqual([
      { name: 'a', files: 1, bytes: 1 },
      { name: 'b', files: 2, bytes: 6 },
      { name: 'b/inner', files: 1, bytes: 2 },
    ]);
    await fs.removeFolder('b');
    expect(await fs.folders()).toEqual([{ name: 'a', files: 1, bytes: 1 }]);
    expect(await fs.list('b')).toEqual([]);
    expect(await fs.list('b/inner')).toEqual([]);
    await expect(fs.writeFile('b/z.png', bytes(1))).rejects.toMatchObject({ code: 'ENOENT' });
    await fs.removeFolder('never-made');
    await expect(fs.removeFolder('.')).rejects.toThrow(/name the folder to delete/);
    expect(await fs.totalBytes()).toBe(1);
  });

  it('zips a folder without its temporaries', async () => {
    const fs = await make();
    await fs.mkdir('my/batch');
    await fs.writeFile('my/batch/a.png', bytes(0x89, 0x50, 0x4e, 0x47));
    await fs.writeFile('my/batch/.a.png.s0.tmp', bytes(1));
    const zip = await zipFolder(fs, 'my/batch');
    expect(zip.name).toBe('batch.zip');
    expect(zip.bytes.length).toBeGreaterThan(20);
    await expect(zipFolder(fs, 'my/other')).rejects.toThrow(/holds no files in this browser/);
  });
});

describe('the IndexedDB batch FS', () => {
  it('keeps every folder across a new connection (a reload, an engine restart)', async () => {
    const factory = newFactory();
    const first = await openIdbBatchFs({ factory });
    await first.mkdir('web-batch');
    await writeAtomic(first, 'web-batch', 'lake-0003.png', utf8('image 3'), 's0');
    await writeAtomic(first, 'web-batch', 'batch.json', utf8('{"v":1}'), 's0');
    first.close();
    const second = await openIdbBatchFs({ factory });
    expect((await second.list('web-batch')).sort()).toEqual(['batch.json', 'lake-0003.png']);
    expect(text(await second.readFile('web-batch/lake-0003.png'))).toBe('image 3');
    expect(await second.folders()).toEqual([{ name: 'web-batch', files: 2, bytes: 7 + 7 }]);
    // Writes from the new connection need no mkdir: the folder is still there.
    await second.writeFile('web-batch/more.png', bytes(1));
    second.close();
  });

  it('a transaction the browser aborts half-way leaves the old state whole: no half-renamed file, nothing written', async () => {
    const fs = await openIdbBatchFs({ factory: newFactory() });
    await fs.mkdir('out');
    await fs.writeFile('out/.a.png.s0.tmp', utf8('finished bytes'));
    // The rename's put of the new name lands, then the transaction aborts (as on a full disk).
    storageFull((key) => key === 'out/a.png');
    await expect(fs.rename('out/.a.png.s0.tmp', 'out/a.png')).rejects.toMatchObject({ code: 'QuotaExceededError' });
    storageFull(null);
    expect(await fs.readFile('out/a.png')).toBeNull();
    expect(text(await fs.readFile('out/.a.png.s0.tmp'))).toBe('finished bytes');
    expect(await fs.list('out')).toEqual(['.a.png.s0.tmp']);
    storageFull(() => true);
    await expect(fs.writeFile('out/b.png', bytes(1))).rejects.toMatchObject({ code: 'QuotaExceededError' });
    storageFull(null);
    expect(await fs.list('out')).toEqual(['.a.png.s0.tmp']);
    expect(await fs.totalBytes()).toBe(14);
  });

  it('a full storage becomes an IO_ERROR that says what to do, through the engine\'s atomic write', async () => {
    const fs = await openIdbBatchFs({ factory: newFactory() });
    await fs.mkdir('out');
    storageFull(() => true);
    const failure = await writeAtomic(fs, 'out', 'lake-0001.png', bytes(1, 2, 3), 's0').catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'IO_ERROR', details: { errno: 'QuotaExceededError' } });
    expect((failure as Error).message).toBe(`Could not write out/lake-0001.png: ${QUOTA_ADVICE}`);
    expect(QUOTA_ADVICE).toMatch(/Download the zip.*delete old folders.*same output folder/);
    storageFull(null);
    expect(await fs.list('out')).toEqual([]);
  });

  it('storageError keeps a coded error, and names what the browser said otherwise', () => {
    const coded = Object.assign(new Error('x: no such file'), { code: 'ENOENT' });
    expect(storageError(coded)).toBe(coded);
    expect(storageError({ name: 'UnknownError', message: 'disk I/O' })).toMatchObject({ code: 'UnknownError', message: "the browser's storage (IndexedDB) failed: UnknownError: disk I/O" });
    expect(ioError('Could not write a', storageError({ name: 'QuotaExceededError', message: '' })).message).toContain('Download the zip');
  });
});

describe('choosing the batch FS', () => {
  it('uses IndexedDB when the browser opens it, and says batch folders survive a reload', async () => {
    const factory = newFactory();
    const { fs, storage } = choosePageBatchFs({ factory, name: 'chosen' });
    // Usable at once: the calls wait for the choice.
    await fs.mkdir('kept');
    await fs.writeFile('kept/a.png', bytes(1));
    expect(await storage).toMatchObject({ persistent: true, detail: expect.stringMatching(/survive a reload/) as unknown });
    const again = choosePageBatchFs({ factory, name: 'chosen' });
    expect(await again.fs.list('kept')).toEqual(['a.png']);
  });

  it('falls back to memory with a warning when there is no IndexedDB, the open fails, or it never finishes', async () => {
    const refusing: IdbFactoryLike = {
      open() {
        throw Object.assign(new Error('A mutation operation was attempted on a database that did not allow mutations.'), { name: 'InvalidStateError' });
      },
    };
    const erroring: IdbFactoryLike = {
      open() {
        const request = { result: undefined as never, error: { name: 'UnknownError', message: 'Internal error opening backing store' }, onsuccess: null, onerror: null as null | (() => void), onupgradeneeded: null, onblocked: null };
        setTimeout(() => request.onerror?.(), 0);
        return request;
      },
    };
    const hanging: IdbFactoryLike = {
      open: () => ({ result: undefined as never, error: null, onsuccess: null, onerror: null, onupgradeneeded: null, onblocked: null }),
    };
    for (const [factory, why] of [
      [null, /gives the page no IndexedDB/],
      [refusing, /could not be opened \(the browser's storage \(IndexedDB\) failed: InvalidStateError/],
      [erroring, /could not be opened .*Internal error opening backing store/],
      [hanging, /could not be opened \(opening it took over/],
    ] as const) {
      const { fs, storage } = choosePageBatchFs({ factory, openTimeoutMs: 50 });
      const s = await storage;
      expect(s.persistent).toBe(false);
      expect(s.detail).toMatch(/^Batch output will not survive a reload/);
      expect(s.detail).toMatch(why);
      expect(s.detail).toMatch(/Download each batch folder as a zip/);
      await fs.mkdir('m');
      await fs.writeFile('m/a.png', bytes(1));
      expect(await fs.folders()).toEqual([{ name: 'm', files: 1, bytes: 1 }]);
    }
  });
});
