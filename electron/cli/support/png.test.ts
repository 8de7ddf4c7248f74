import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { encodeResultPng, layoutSha256, readResultPng, type GenerationRecord } from './png.ts';

describe('result PNGs', () => {
  const layout = { width: 2, height: 1, data: new Uint8Array([0, 3]) };
  const record: GenerationRecord = {
    format: 'tessera-generation',
    version: 1,
    // tEXt is Latin-1: a model folder with any other character must still round-trip.
    model: { id: 'm', version: '1', path: '/home/湖/models/m' },
    size: { width: 2, height: 1 },
    settings: { seed: 7, temperature: 1, topK: 100, topP: 1, sampler: 'cached', stride: 4, decodedPreviews: false },
    backend: 'cpu',
    layoutSha256: layoutSha256(layout),
  };

  it('round-trips the record and the layout, whatever characters the record holds', () => {
    const png = encodeResultPng({ width: 2, height: 1, rgba: new Uint8Array([1, 2, 3, 255, 4, 5, 6, 255]) }, record, layout);
    const back = readResultPng(png);
    expect(back.record).toEqual(record);
    expect(back.layout).toEqual(layout);
  });

  it('records the same layout checksum as node:crypto over data then size', () => {
    const expected = createHash('sha256').update(layout.data).update('2x1').digest('hex');
    expect(layoutSha256(layout)).toBe(expected);
  });

  it('refuses a PNG whose layout does not match its checksum', () => {
    const png = encodeResultPng({ width: 2, height: 1, rgba: new Uint8Array(8) }, { ...record, layoutSha256: '0'.repeat(64) }, layout);
    expect(() => readResultPng(png)).toThrow(/does not match its recorded checksum/);
  });
});
