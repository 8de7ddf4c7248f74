import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkCanvasSize, chunkSchedule, cropWindow, pixelsForTokens, tokensForPixels, windowPlacement, windowPlacement1D } from './grid.ts';

describe('windowPlacement1D: taming rule (16-token window)', () => {
  // Hand-worked from the reference notes, §3.1: local = i if i ≤ 8; 16 − (H − i) if H − i < 8; else 8.
  const cases: Array<[i: number, n: number, start: number, local: number]> = [
    [0, 32, 0, 0],
    [5, 32, 0, 5],
    [8, 32, 0, 8], // last token of the pinned top block
    [9, 32, 1, 8], // first interior token: centred at offset 8
    [20, 32, 12, 8],
    [24, 32, 16, 8], // H − i = 8: still interior
    [25, 32, 16, 9], // H − i = 7 < 8: pinned to the last 16 rows
    [31, 32, 16, 15],
    [0, 16, 0, 0], // a grid of exactly one window: always the same window
    [8, 16, 0, 8],
    [9, 16, 0, 9],
    [15, 16, 0, 15],
    [16, 17, 1, 15],
    [9, 17, 1, 8],
  ];
  it.each(cases)('i=%i n=%i → start %i, local %i', (i, n, start, local) => {
    expect(windowPlacement1D(i, n, 16)).toEqual({ start, local });
  });

  it('refuses grids smaller than the window and tokens outside the grid', () => {
    expect(() => windowPlacement1D(0, 15, 16)).toThrow(RangeError);
    expect(() => windowPlacement1D(32, 32, 16)).toThrow(RangeError);
  });

  it('always keeps the window inside the grid and the token inside the window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 0, max: 80 }), fc.nat(), (k, extra, seed) => {
        const n = k + extra;
        const i = seed % n;
        const { start, local } = windowPlacement1D(i, n, k);
        return start >= 0 && start + k <= n && local >= 0 && local < k && start + local === i;
      }),
      { numRuns: 2000 },
    );
  });

  it('is the same placement on both axes of a 2-D grid', () => {
    expect(windowPlacement(25, 3, { rows: 32, cols: 20 }, { rows: 16, cols: 16 })).toEqual({ top: 16, left: 0, localRow: 9, localCol: 3 });
  });
});

describe('chunkSchedule', () => {
  const arbitraryCase = fc
    .record({ kr: fc.integer({ min: 1, max: 16 }), kc: fc.integer({ min: 1, max: 16 }), er: fc.integer({ min: 0, max: 20 }), ec: fc.integer({ min: 0, max: 20 }), s: fc.nat() })
    .map(({ kr, kc, er, ec, s }) => ({ grid: { rows: kr + er, cols: kc + ec }, window: { rows: kr, cols: kc }, stride: 1 + (s % kc) }));

  it('covers every token exactly once, in raster order', () => {
    fc.assert(
      fc.property(arbitraryCase, ({ grid, window, stride }) => {
        const seen: number[] = [];
        for (const c of chunkSchedule(grid, window, stride)) for (let t = 0; t < c.count; t++) seen.push(c.row * grid.cols + c.col + t);
        return seen.length === grid.rows * grid.cols && seen.every((v, i) => v === i);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps every window inside the grid and every chunk inside its window', () => {
    fc.assert(
      fc.property(arbitraryCase, ({ grid, window, stride }) =>
        chunkSchedule(grid, window, stride).every(
          (c) =>
            c.top >= 0 &&
            c.left >= 0 &&
            c.top + window.rows <= grid.rows &&
            c.left + window.cols <= grid.cols &&
            c.col >= c.left &&
            c.col + c.count <= c.left + window.cols &&
            c.localRow === c.row - c.top &&
            c.localCol === c.col - c.left &&
            c.count >= 1 &&
            c.count <= stride,
        ),
      ),
      { numRuns: 1000 },
    );
  });

  it('equals the exact placement for stride 1', () => {
    fc.assert(
      fc.property(arbitraryCase, ({ grid, window }) =>
        chunkSchedule(grid, window, 1).every((c) => {
          const p = windowPlacement(c.row, c.col, grid, window);
          return p.top === c.top && p.left === c.left && p.localRow === c.localRow && p.localCol === c.localCol;
        }),
      ),
      { numRuns: 500 },
    );
  });

  it('centres a chunk like its middle token (hand-worked, 32 columns, stride 4)', () => {
    const chunks = chunkSchedule({ rows: 16, cols: 32 }, { rows: 16, cols: 16 }, 4).filter((c) => c.row === 0);
    expect(chunks.map((c) => [c.col, c.left])).toEqual([
      [0, 0], [4, 0], [8, 1], [12, 5], [16, 9], [20, 13], [24, 16], [28, 16],
    ]);
  });

  it('refuses a stride wider than the window', () => {
    expect(() => chunkSchedule({ rows: 16, cols: 16 }, { rows: 16, cols: 16 }, 17)).toThrow(/stride must be an integer between 1 and the window width 16/);
  });
});

describe('pixel and token sizes', () => {
  it('converts both ways', () => {
    expect(tokensForPixels({ width: 512, height: 256 }, 16)).toEqual({ rows: 16, cols: 32 });
    expect(pixelsForTokens({ rows: 16, cols: 32 }, 8)).toEqual({ width: 256, height: 128 });
  });

  it('accepts valid canvases and explains invalid ones with sizes that would work', () => {
    const win = { rows: 16, cols: 16 };
    expect(checkCanvasSize({ width: 256, height: 512 }, 16, win)).toEqual({ ok: true, grid: { rows: 32, cols: 16 } });
    const notMultiple = checkCanvasSize({ width: 300, height: 256 }, 16, win);
    expect(notMultiple.ok).toBe(false);
    if (!notMultiple.ok) {
      expect(notMultiple.reason).toMatch(/300×256 px is not a multiple of the grid factor 16/);
      expect(notMultiple.suggestions).toEqual([{ width: 288, height: 256 }, { width: 304, height: 256 }]);
    }
    const small = checkCanvasSize({ width: 128, height: 128 }, 16, win);
    expect(!small.ok && small.reason).toMatch(/smaller than one 16×16-token window \(256×256 px\)/);
    const huge = checkCanvasSize({ width: 4096, height: 256 }, 16, win);
    expect(!huge.ok && huge.reason).toMatch(/over the canvas limit of 2048×2048/);
    expect(!huge.ok && huge.suggestions).toEqual([{ width: 2048, height: 256 }]);
  });

  it('every suggestion is itself a valid size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 3000 }), fc.constantFrom(8, 16), (w, h, f) => {
        const r = checkCanvasSize({ width: w, height: h }, f, { rows: 16, cols: 16 });
        return r.ok || r.suggestions.every((s) => checkCanvasSize(s, f, { rows: 16, cols: 16 }).ok);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('cropWindow', () => {
  it('copies the window block in raster order', () => {
    const grid = { rows: 3, cols: 4 };
    const tokens = Array.from({ length: 12 }, (_, i) => i);
    expect([...cropWindow(tokens, grid, 1, 1, { rows: 2, cols: 2 }, new Int32Array(4))]).toEqual([5, 6, 9, 10]);
  });
});
