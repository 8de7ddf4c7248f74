/**
 * The one record format, both ways: every writer's PNG is read by the one reader, and what the
 * older writers left behind is still read (the CLI's inpaint record) or refused with what to do
 * (the older studio export, which carried no layout).
 */
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { bytesToBase64 } from './wire.ts';
import { encodeIndexPng } from './labelmap.ts';
import { asciiJson, encodeRecordPng, LAYOUT_KEY, layoutChecksum, LEGACY_INPAINT_KEY, makeRecord, PARAMETERS_KEY, readRecordPng } from './result-record.ts';

const layout = { width: 4, height: 2, data: new Uint8Array([0, 1, 2, 3, 3, 2, 1, 0]) };
const image = { width: 4, height: 2, rgba: Uint8Array.from({ length: 32 }, (_, i) => (i % 4 === 3 ? 255 : i * 7)) };
const settings = { seed: 7, temperature: 1, topK: 100, topP: 1, sampler: 'cached' as const, stride: 4, decodedPreviews: true };

describe('the result record', () => {
  it('round-trips record, layout and pixels, with settings in canonical form', () => {
    const record = makeRecord({ model: { id: 'tessera-landscapes-v1', version: '2.1.2' }, layout, settings, backend: 'cpu' });
    expect(record.settings.decodedPreviews).toBe(false);
    const back = readRecordPng(encodeRecordPng(image, record, layout));
    expect(back.record).toEqual(record);
    expect(back.layout).toEqual(layout);
    expect(back.png.channels).toBe(3);
    expect(Array.from(back.png.data.subarray(0, 6))).toEqual([0, 7, 14, 28, 35, 42]);
  });

  it('gives the same bytes for the same result whatever order the settings came in', () => {
    const a = encodeRecordPng(image, makeRecord({ model: { id: 'm', version: '1' }, layout, settings, backend: 'cpu' }), layout);
    const shuffled = { decodedPreviews: false, stride: 4, sampler: 'cached' as const, topP: 1, topK: 100, temperature: 1, seed: 7 };
    const b = encodeRecordPng(image, makeRecord({ model: { id: 'm', version: '1' }, layout, settings: shuffled, backend: 'cpu' }), layout);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('keeps whole-image records exactly as generate and batch wrote them before (old batch folders still resume)', () => {
    const record = makeRecord({ model: { id: 'm', version: '1' }, layout, settings, backend: 'cpu' });
    expect(asciiJson(record)).toBe(
      `{"format":"tessera-generation","version":1,"model":{"id":"m","version":"1"},"size":{"width":4,"height":2},"settings":{"seed":7,"temperature":1,"topK":100,"topP":1,"sampler":"cached","stride":4,"decodedPreviews":false},"backend":"cpu","layoutSha256":"${layoutChecksum(layout)}"}`,
    );
  });

  it('records inpainted images with what was regenerated', () => {
    const inpaint = { mode: 'tokens' as const, options: { dilation: 0, blend: 4, keepOutside: true }, regionTokens: 1, totalTokens: 8, fit: null };
    const record = makeRecord({ model: { id: 'm', version: '1' }, layout, settings, backend: 'wasm', inpaint });
    expect(readRecordPng(encodeRecordPng(image, record, layout)).record.inpaint).toEqual(inpaint);
  });

  it('reads the CLI’s older inpaint record (tessera:inpaint), migrated', () => {
    const legacy = { format: 'tessera-inpaint', version: 1, model: { id: 'm', version: '1' }, settings: { ...settings, decodedPreviews: false }, options: { dilation: 1, blend: 4, keepOutside: true }, backend: 'cpu', regionTokens: 6, totalTokens: 56, fit: 'pad' };
    const rgb = new Uint8Array(4 * 2 * 3);
    const png = encode({ width: 4, height: 2, data: rgb, channels: 3, depth: 8, text: { Software: 'Tessera', [LEGACY_INPAINT_KEY]: JSON.stringify(legacy), [LAYOUT_KEY]: bytesToBase64(encodeIndexPng(layout)) } });
    const back = readRecordPng(png);
    expect(back.migrated).toBe(true);
    expect(back.record).toMatchObject({ format: 'tessera-generation', model: { id: 'm' }, layoutSha256: layoutChecksum(layout), inpaint: { mode: 'region', regionTokens: 6, totalTokens: 56, fit: 'pad' } });
    expect(back.layout).toEqual(layout);
  });

  it('refuses the older studio export with what to do instead, and a foreign PNG plainly', () => {
    const old = { model: 'tessera-landscapes-v1', modelName: 'Landscapes', seed: 42, temperature: 1, topK: 100, topP: 1, sampler: 'cached', stride: 4, backend: 'cpu', kind: 'generate', seconds: 9.1, size: '4x2' };
    const oldStudio = encode({ width: 4, height: 2, data: new Uint8Array(32), channels: 4, depth: 8, text: { Software: 'Tessera', [PARAMETERS_KEY]: JSON.stringify(old) } });
    expect(() => readRecordPng(oldStudio)).toThrow(/older Tessera studio, which did not store the layout \(seed 42.*Export it again from the studio's history, or run generate with --layout <its layout PNG> --seed 42/);
    const foreign = encode({ width: 4, height: 2, data: new Uint8Array(24), channels: 3, depth: 8 });
    expect(() => readRecordPng(foreign)).toThrow(/carries no Tessera parameters.*Give --layout/);
  });
});
