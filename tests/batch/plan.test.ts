/**
 * The pure parts of a batch: seeds, shards, names, checksums, atomic writes and stale temp files.
 * Shards must partition the batch exactly, and file names must not depend on the shard.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TesseraError } from '../../shared/errors.ts';
import { removeStaleTemps, tempName, writeAtomic } from '../../engine/batch/batch-fs.ts';
import { fromBase64, sha256Hex, toBase64 } from '../../engine/batch/digest.ts';
import { groupItems } from '../../engine/batch/run-batch.ts';
import { inShard, parseSeeds, parseShard, planBatch } from '../../engine/batch/plan.ts';
import { memoryFs } from './support.ts';
import { checkItemPng, encodeItemPng, expectedText } from '../../engine/batch/result-png.ts';

const layout = { width: 8, height: 8, data: new Uint8Array(64) };

describe('batch plan', () => {
  it('parses seeds and ranges, merging overlaps, and rejects bad ones clearly', () => {
    expect(parseSeeds('1-4')).toEqual([1, 2, 3, 4]);
    expect(parseSeeds('7, 3-5,4')).toEqual([3, 4, 5, 7]);
    expect(parseSeeds('4294967295')).toEqual([4294967295]);
    expect(() => parseSeeds('5-2')).toThrow(/runs backwards/);
    expect(() => parseSeeds('a')).toThrow(TesseraError);
    expect(() => parseSeeds('0-20000')).toThrow(/At most 10000/);
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(() => parseShard('0/3')).toThrow(/1 ≤ k ≤ n/);
    expect(() => parseShard('4/3')).toThrow(TesseraError);
  });

  it('orders items by layout name then seed, names files from layout + seed, and refuses colliding names', () => {
    const items = planBatch([{ name: 'b', layout }, { name: 'a lake', layout }], [3, 1]);
    expect(items.map((i) => `${i.index}:${i.file}`)).toEqual(['0:a-lake-seed1.png', '1:a-lake-seed3.png', '2:b-seed1.png', '3:b-seed3.png']);
    expect(() => planBatch([{ name: 'a b', layout }, { name: 'a-b', layout }], [1])).toThrow(/both become the file name "a-b"/);
    expect(() => planBatch([{ name: '.hidden', layout }], [1])[0]?.file).not.toThrow();
    expect(planBatch([{ name: '..x', layout }], [1])[0]?.file).toBe('x-seed1.png');
  });

  it('shards partition the batch exactly, round-robin over the canonical order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 7 }), (items, n) => {
        const owners = Array.from({ length: items }, (_, i) => Array.from({ length: n }, (_, k) => k + 1).filter((k) => inShard(i, { index: k, count: n })));
        expect(owners.every((o) => o.length === 1)).toBe(true);
        owners.forEach((o, i) => expect(o[0]).toBe((i % n) + 1));
      }),
      { numRuns: 200 },
    );
    expect(inShard(5, null)).toBe(true);
  });

  it('groups consecutive seeds of one layout', () => {
    const items = planBatch([{ name: 'a', layout }, { name: 'b', layout }], [1, 2, 3]);
    expect(groupItems(items, 2).map((g) => g.map((i) => i.file))).toEqual([['a-seed1.png', 'a-seed2.png'], ['a-seed3.png'], ['b-seed1.png', 'b-seed2.png'], ['b-seed3.png']]);
    expect(groupItems([items[0]!, items[2]!, items[4]!], 4).map((g) => g.length)).toEqual([2, 1]);
  });
});

describe('digest', () => {
  it('sha256 and base64 equal Node’s', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 20 }), (bytes, text) => {
        expect(sha256Hex(bytes, text)).toBe(createHash('sha256').update(bytes).update(text).digest('hex'));
        expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
        expect(fromBase64(toBase64(bytes))).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
    expect(fromBase64('not base64!')).toBeNull();
  });
});

describe('atomic writes', () => {
  it('renames a finished temp file into place, and removes it when the disk is full', async () => {
    const fs = memoryFs((p) => (p.includes('full') ? Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }) : null));
    await writeAtomic(fs, '/d', 'a.png', Uint8Array.of(1), 'all');
    expect([...fs.files.keys()]).toEqual(['/d/a.png']);
    const error = await writeAtomic(fs, '/d', 'full.png', Uint8Array.of(1), 'all').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TesseraError);
    expect((error as TesseraError).code).toBe('IO_ERROR');
    expect((error as TesseraError).message).toMatch(/disk is full \(ENOSPC\).*run the same command again/);
    expect([...fs.files.keys()]).toEqual(['/d/a.png']);
  });

  it('removes its own stale temp files and those of its items, never another shard’s', async () => {
    const fs = memoryFs();
    for (const name of [tempName('a.png', 'shard-1-of-2'), tempName('b.png', 'shard-2-of-2'), tempName('c.png', 'all'), tempName('contact.png', 'shard-2-of-2'), 'a.png']) fs.files.set(`/d/${name}`, Uint8Array.of(0));
    const removed = await removeStaleTemps(fs, '/d', 'shard-1-of-2', new Set(['a.png', 'c.png']));
    expect(removed.sort()).toEqual(['.a.png.shard-1-of-2.tmp', '.c.png.all.tmp']);
    expect([...fs.files.keys()].sort()).toEqual(['/d/.b.png.shard-2-of-2.tmp', '/d/.contact.png.shard-2-of-2.tmp', '/d/a.png']);
  });
});

describe('item PNGs', () => {
  it('round-trip any layout name through Latin-1 tEXt, and tell a foreign image apart', () => {
    const item = (name: string, seed: number) =>
      expectedText({ model: { id: 'm', version: '1', hash: 'h' }, backend: 'cpu', layoutName: name, layout, settings: { seed, temperature: 1, topK: 8, topP: 1, sampler: 'cached', stride: 2, decodedPreviews: true } });
    const image = { width: 8, height: 8, rgba: new Uint8Array(256).fill(90) };
    const png = encodeItemPng(image, item('lac-é湖', 3));
    expect(checkItemPng(png, item('lac-é湖', 3)).ok).toBe(true);
    expect(checkItemPng(png, item('lac-é湖', 4))).toEqual({ ok: false, reason: 'its parameters differ' });
    expect(checkItemPng(png, item('lac', 3))).toEqual({ ok: false, reason: 'its batch entry differs' });
    expect(checkItemPng(png.subarray(0, png.length - 20), item('lac-é湖', 3)).ok).toBe(false);
  });
});
