import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyPatch, invertPatch, paintSpans, patchPixelCount } from './patch.ts';
import { SpanList } from './spans.ts';
import { fromArt, toArt } from './test-helpers.ts';

describe('label patches', () => {
  it('records only changed pixels, as runs that never wrap a row', () => {
    const map = fromArt(['0011', '0000']);
    const spans = new SpanList();
    spans.push(0, 0, 4);
    spans.push(1, 0, 4);
    const patch = paintSpans(map, spans, 1);
    expect(patchPixelCount(patch)).toBe(6);
    expect([...patch.starts]).toEqual([0, 4]);
    expect([...patch.lengths]).toEqual([2, 4]);
    expect(patch.bounds).toEqual({ x: 0, y: 0, width: 4, height: 2 });
    expect(toArt(map)).toEqual(['0011', '0000']); // pure: nothing written yet
  });

  it('applies forward and backward exactly (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 48, maxLength: 48, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5 }), (data, cls, row) => {
        const map = { width: 8, height: 6, data: Uint8Array.from(data) };
        const original = Uint8Array.from(map.data);
        const spans = new SpanList();
        spans.push(row, 1, 7);
        const patch = paintSpans(map, spans, cls);
        applyPatch(map, patch);
        for (let x = 1; x < 7; x++) expect(map.data[row * 8 + x]).toBe(cls);
        applyPatch(map, invertPatch(patch));
        expect(map.data).toEqual(original);
      }),
    );
  });

  it('refuses a patch made for another size', () => {
    const patch = paintSpans(fromArt(['00']), new SpanList(), 1);
    expect(() => applyPatch(fromArt(['000']), patch)).toThrow(/2×1/);
  });
});
