/**
 * The record a result PNG carries is input like any other (found by the bad-input corpus,
 * scripts/fuzz, png-reproduce-record): a 1 MB model id was accepted and echoed whole in the
 * "made with another model" warning.
 */
import { describe, expect, it } from 'vitest';
import { encodeResultPng, layoutSha256, readResultPng, type GenerationRecord } from './png.ts';

const layout = { width: 2, height: 1, data: new Uint8Array([0, 1]) };
const record: GenerationRecord = {
  format: 'tessera-generation',
  version: 1,
  model: { id: 'm', version: '1' },
  size: { width: 2, height: 1 },
  settings: { seed: 1, temperature: 1, topK: 8, topP: 1, sampler: 'cached', stride: 2, decodedPreviews: false },
  backend: 'cpu',
  layoutSha256: layoutSha256(layout),
};
const image = { width: 2, height: 1, rgba: new Uint8Array(8) };

describe('result PNG records', () => {
  it('refuses model ids, versions and paths longer than any real one', () => {
    for (const model of [{ id: 'm'.repeat(1024 * 1024), version: '1' }, { id: 'm', version: 'v'.repeat(33) }, { id: 'm', version: '1', path: `/${'p'.repeat(4096)}` }]) {
      expect(() => readResultPng(encodeResultPng(image, { ...record, model }, layout))).toThrow(/Tessera parameters are unreadable/);
    }
  });

  it('still reads a record with the longest legal values', () => {
    const model = { id: 'm'.repeat(64), version: 'v'.repeat(32), path: `/${'p'.repeat(4095)}` };
    expect(readResultPng(encodeResultPng(image, { ...record, model }, layout)).record.model).toEqual(model);
  });
});
