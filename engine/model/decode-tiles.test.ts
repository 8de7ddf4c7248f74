import { describe, expect, it } from 'vitest';
import { axisSpans, keptPixels, planDecodeTiles, spanWeights, type DecodeTiling } from './decode-tiles.ts';

const TILINGS: DecodeTiling[] = [
  { size: 48, margin: 8, blend: 4 },
  { size: 8, margin: 2, blend: 1 },
  { size: 16, margin: 4, blend: 0 },
  { size: 12, margin: 0, blend: 0 },
];

describe('axisSpans', () => {
  it('decodes an axis no longer than one tile whole, without blend bands', () => {
    expect(axisSpans(48, { size: 48, margin: 8, blend: 4 })).toEqual([{ start: 0, size: 48, coreStart: 0, coreSize: 48, blendBefore: 0, blendAfter: 0 }]);
    expect(axisSpans(5, { size: 8, margin: 2, blend: 1 })).toHaveLength(1);
  });

  it('cuts longer axes into equal tiles whose cores partition the axis, with the margin at every cut', () => {
    for (const tiling of TILINGS) {
      for (let n = tiling.size + 1; n <= 6 * tiling.size; n++) {
        const spans = axisSpans(n, tiling);
        expect(spans.length).toBeGreaterThan(1);
        let next = 0;
        spans.forEach((s, i) => {
          expect(s.size).toBe(tiling.size);
          expect(s.start).toBeGreaterThanOrEqual(0);
          expect(s.start + s.size).toBeLessThanOrEqual(n);
          expect(s.coreStart).toBe(next);
          next = s.coreStart + s.coreSize;
          // Context inside the tile on each side of a cut, the blend band included.
          if (i > 0) expect(s.coreStart - s.start).toBeGreaterThanOrEqual(tiling.margin);
          if (i < spans.length - 1) expect(s.start + s.size - next).toBeGreaterThanOrEqual(tiling.margin);
          // The two blend bands of a core never meet.
          expect(s.coreSize).toBeGreaterThanOrEqual(s.blendBefore + s.blendAfter);
          expect(s.blendBefore).toBe(i > 0 ? tiling.blend : 0);
          expect(s.blendAfter).toBe(i < spans.length - 1 ? tiling.blend : 0);
        });
        expect(next).toBe(n);
        // As few tiles as the margin allows: one fewer could not leave it at every cut.
        const fewer = spans.length - 1;
        if (fewer > 1) expect((n - tiling.size) / (fewer - 1)).toBeGreaterThan(tiling.size - 2 * tiling.margin);
      }
    }
  });

  it('rejects tilings whose cores could not hold their context or blend bands', () => {
    expect(() => axisSpans(100, { size: 16, margin: 8, blend: 0 })).toThrow(RangeError);
    expect(() => axisSpans(100, { size: 16, margin: 2, blend: 3 })).toThrow(RangeError);
    expect(() => axisSpans(100, { size: 16, margin: 4, blend: 3 })).toThrow(RangeError);
    expect(() => axisSpans(100, { size: 12.5, margin: 2, blend: 1 })).toThrow(RangeError);
  });
});

describe('spanWeights', () => {
  it('adds up to 1 at every pixel of a tiled axis (a seamless cross-fade)', () => {
    const f = 8;
    for (const tiling of TILINGS) {
      for (const n of [tiling.size, tiling.size + 1, 2 * tiling.size + 3, 5 * tiling.size]) {
        const sum = new Float64Array(n * f);
        for (const s of axisSpans(n, tiling)) {
          const w = spanWeights(s, f);
          w.forEach((v, x) => {
            sum[s.start * f + x] = (sum[s.start * f + x] as number) + v;
          });
        }
        expect(Math.max(...Array.from(sum, (v) => Math.abs(v - 1)))).toBeLessThan(1e-6);
      }
    }
  });

  it('is 1 in the core away from the bands and ramps linearly across a band', () => {
    const [first] = axisSpans(20, { size: 12, margin: 4, blend: 1 });
    const w = spanWeights(first!, 2);
    const cut = first!.coreSize * 2;
    expect(Array.from(w.subarray(0, cut - 2))).toEqual(new Array(cut - 2).fill(1));
    expect(Array.from(w.subarray(cut - 2, cut + 2))).toEqual([7 / 8, 5 / 8, 3 / 8, 1 / 8]);
    expect(Array.from(w.subarray(cut + 2)).every((v) => v === 0)).toBe(true);
  });
});

describe('planDecodeTiles', () => {
  it('keeps every pixel of the canvas in some tile, and only pixels the tile decodes', () => {
    const grid = { rows: 20, cols: 37 };
    const tiles = planDecodeTiles(grid, { size: 8, margin: 2, blend: 1 });
    const f = 4;
    const covered = new Uint8Array(grid.rows * f * grid.cols * f);
    for (const t of tiles) {
      const k = keptPixels(t, f);
      expect(k.x0).toBeGreaterThanOrEqual(0);
      expect(k.y0).toBeGreaterThanOrEqual(0);
      expect(k.x0 + k.width).toBeLessThanOrEqual(t.cols.size * f);
      expect(k.y0 + k.height).toBeLessThanOrEqual(t.rows.size * f);
      for (let y = 0; y < k.height; y++) for (let x = 0; x < k.width; x++) covered[(k.atY + y) * grid.cols * f + k.atX + x] = 1;
    }
    expect(covered.every((v) => v === 1)).toBe(true);
    expect(planDecodeTiles({ rows: 8, cols: 8 }, { size: 8, margin: 2, blend: 1 })).toHaveLength(1);
  });
});
