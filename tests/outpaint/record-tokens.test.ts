/**
 * The `tessera:tokens` chunk (shared/result-record.ts): the tokens come back only for the model
 * that made them and the pixels they were written with; every other case says why.
 */
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { encodeRecordPng, makeRecord, readRecordTokens, tokensText, TOKENS_KEY } from '../../shared/result-record.ts';

const model = { id: 'tessera-tiny-fixture', version: '0.0.1' };
const image = { width: 16, height: 8, rgba: Uint8Array.from({ length: 16 * 8 * 4 }, (_, i) => (i * 7) & 255) };
const tokens = [0, 1, 255, 256, 1000, 65535, 3, 4];

/** The tEXt of a result PNG whose 16×8 px picture is 2×1 tokens of 8 px. */
function pngText(): Record<string, string> {
  const layout = { width: 16, height: 8, data: new Uint8Array(16 * 8) };
  const record = makeRecord({ model, layout, settings: { seed: 1, temperature: 1, topK: 8, topP: 1, sampler: 'cached', stride: 2, decodedPreviews: false }, backend: 'cpu' });
  const bytes = encodeRecordPng(image, record, layout, { [TOKENS_KEY]: tokensText({ model, grid: { rows: 1, cols: 2 }, tokens: tokens.slice(0, 2), image }) });
  return decode(bytes).text as Record<string, string>;
}

describe('tessera:tokens', () => {
  it('round-trips the tokens through a PNG (uint16, little-endian)', () => {
    const text = pngText();
    expect(readRecordTokens(text, { model, image, gridFactor: 8 })).toEqual({ tokens: Uint16Array.from([0, 1]) });
    const wide = { ...image, width: 64, height: 8, rgba: new Uint8Array(64 * 8 * 4) };
    const t = tokensText({ model, grid: { rows: 1, cols: 8 }, tokens, image: wide });
    expect(readRecordTokens({ [TOKENS_KEY]: t }, { model, image: wide, gridFactor: 8 })).toEqual({ tokens: Uint16Array.from(tokens) });
  });

  it('says why the tokens cannot be used: another model, another grid, edited pixels, a damaged chunk', () => {
    const text = pngText();
    expect(readRecordTokens({}, { model, image, gridFactor: 8 })).toBeNull();
    expect(readRecordTokens(text, { model: { ...model, version: '0.0.2' }, image, gridFactor: 8 })).toEqual({ why: 'its tokens were made by tessera-tiny-fixture 0.0.1, not tessera-tiny-fixture 0.0.2' });
    expect(readRecordTokens(text, { model, image, gridFactor: 4 })).toMatchObject({ why: expect.stringMatching(/2×1 grid, not the 16×8 px picture's/) });
    const edited = { ...image, rgba: image.rgba.slice() };
    edited.rgba[5] = (edited.rgba[5]! + 1) & 255;
    expect(readRecordTokens(text, { model, image: edited, gridFactor: 8 })).toEqual({ why: 'its pixels were changed after it was made' });
    // Alpha is not part of a result's pixels (results are RGB).
    const alpha = { ...image, rgba: image.rgba.slice() };
    alpha.rgba[3] = 0;
    expect(readRecordTokens(text, { model, image: alpha, gridFactor: 8 })).toHaveProperty('tokens');
    expect(readRecordTokens({ [TOKENS_KEY]: '{"format":"tessera-tokens"' }, { model, image, gridFactor: 8 })).toMatchObject({ why: expect.stringMatching(/chunk is unreadable/) });
    const short = JSON.parse(text[TOKENS_KEY]!);
    short.data = 'AAAA';
    expect(readRecordTokens({ [TOKENS_KEY]: JSON.stringify(short) }, { model, image, gridFactor: 8 })).toEqual({ why: 'its tessera:tokens chunk does not hold 2 tokens' });
  });
});
