import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encode } from 'fast-png';
import { TesseraError } from './errors.ts';
import { createLabelMap, decodeLabelPng, encodeIndexPng, encodeLabelPng, labelMapFromIndices, labelMapFromPixels, labelMapToRgba } from './labelmap.ts';

const classes = [
  { id: 0, name: 'sky', color: '#87ceeb' },
  { id: 1, name: 'water', color: '#1e4d8c' },
  { id: 2, name: 'grass', color: '#4caf50' },
];

function caught(fn: () => unknown): TesseraError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TesseraError) return error;
    throw error;
  }
  throw new Error('expected a TesseraError');
}

describe('label maps', () => {
  it('round-trips through a palette PNG and a grayscale index PNG exactly', () => {
    const map = createLabelMap(5, 3);
    map.data.set([0, 1, 2, 1, 0, 2, 2, 2, 1, 1, 0, 0, 1, 2, 0]);
    expect(decodeLabelPng(encodeLabelPng(map, classes), classes)).toEqual(map);
    expect(decodeLabelPng(encodeIndexPng(map), classes)).toEqual(map);
  });

  it('reads RGBA and indexed-colour PNGs', () => {
    const rgba = new Uint8Array([0x87, 0xce, 0xeb, 255, 0x4c, 0xaf, 0x50, 255]);
    expect([...decodeLabelPng(encode({ width: 2, height: 1, data: rgba, channels: 4, depth: 8 }), classes).data]).toEqual([0, 2]);
    const indexed = encode({ width: 2, height: 1, data: new Uint8Array([1, 0]), channels: 1, depth: 8, palette: [[0x87, 0xce, 0xeb], [0x1e, 0x4d, 0x8c]] });
    expect([...decodeLabelPng(indexed, classes).data]).toEqual([1, 0]);
  });

  it('lists unknown colours with their counts and first pixel', () => {
    const pixels = new Uint8Array([0x87, 0xce, 0xeb, 1, 2, 3, 1, 2, 3, 0x88, 0xce, 0xeb]);
    const error = caught(() => labelMapFromPixels(pixels, 2, 2, 3, classes));
    expect(error.code).toBe('UNKNOWN_COLOURS');
    expect(error.message).toBe(
      "The label map has 2 unknown colours: #010203 (2 px, first at x=1, y=0), #88ceeb (1 px, first at x=1, y=1). Paint only with the model's 3 class colours (no anti-aliasing), or use a grayscale index PNG.",
    );
  });

  it('rejects out-of-range class indices and says which classes exist', () => {
    const error = caught(() => labelMapFromIndices(new Uint8Array([0, 3, 255, 3]), 2, 2, 3));
    expect(error.code).toBe('BAD_INPUT');
    expect(error.message).toMatch(/2 unknown class indices: 3 \(2 px, first at x=1, y=0\), 255 \(1 px, first at x=0, y=1\)\. The model has classes 0\.\.2\./);
  });

  it('rejects transparency, 16-bit PNGs and files that are not PNGs', () => {
    const translucent = encode({ width: 1, height: 1, data: new Uint8Array([0x87, 0xce, 0xeb, 128]), channels: 4, depth: 8 });
    expect(caught(() => decodeLabelPng(translucent, classes)).message).toMatch(/transparent pixels \(first at x=0, y=0\)/);
    const deep = encode({ width: 1, height: 1, data: new Uint16Array([1]), channels: 1, depth: 16 });
    expect(caught(() => decodeLabelPng(deep, classes)).message).toMatch(/8 bits per channel/);
    expect(caught(() => decodeLabelPng(new Uint8Array([1, 2, 3]), classes)).message).toMatch(/not a readable PNG/);
  });

  it('colours a map with the palette', () => {
    const map = createLabelMap(2, 1);
    map.data.set([1, 2]);
    expect([...labelMapToRgba(map, classes)]).toEqual([0x1e, 0x4d, 0x8c, 255, 0x4c, 0xaf, 0x50, 255]);
  });

  it('never crashes on arbitrary bytes: only clear TesseraErrors (fuzz, 1,000 cases)', () => {
    const validPng = encodeLabelPng({ width: 4, height: 4, data: new Uint8Array(16).fill(1) }, classes);
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.tuple(fc.nat(validPng.length - 1), fc.integer({ min: 0, max: 255 })).map(([at, v]) => {
        const corrupt = validPng.slice();
        corrupt[at] = v;
        return corrupt;
      })), (bytes) => {
        try {
          const map = decodeLabelPng(bytes, classes);
          return map.data.length === map.width * map.height && map.data.every((v) => v < classes.length);
        } catch (error) {
          return error instanceof TesseraError && error.message.length > 0;
        }
      }),
      { numRuns: 1000 },
    );
  });
});
