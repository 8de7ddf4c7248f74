import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLabelMap } from '../../../shared/labelmap.ts';
import { floodFill } from './flood-fill.ts';
import { applyPatch, patchPixelCount } from './patch.ts';
import { fromArt, toArt } from './test-helpers.ts';

describe('flood fill', () => {
  it('fills the 4-connected region and stops at diagonal gaps', () => {
    const map = fromArt(['0010', '0101', '1000']);
    applyPatch(map, floodFill(map, 0, 0, 2));
    expect(toArt(map)).toEqual(['2210', '2101', '1000']);
  });

  it('fills a region with holes and concave parts completely', () => {
    const ring = fromArt(['00000', '01110', '01010', '01110', '00000']);
    applyPatch(ring, floodFill(ring, 0, 0, 3));
    expect(toArt(ring)).toEqual(['33333', '31113', '31013', '31113', '33333']);
    const concave = fromArt(['00000', '01110', '01010', '00010', '11110']);
    applyPatch(concave, floodFill(concave, 0, 0, 3));
    expect(toArt(concave)).toEqual(['33333', '31113', '31313', '33313', '11113']);
  });

  it('is a no-op when the class is already the target or the point is outside', () => {
    const map = fromArt(['00', '00']);
    expect(patchPixelCount(floodFill(map, 0, 0, 0))).toBe(0);
    expect(patchPixelCount(floodFill(map, 5, 5, 1))).toBe(0);
  });

  it('matches a plain breadth-first fill on random maps (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 96, maxLength: 96, max: 2 }), fc.nat(95), fc.integer({ min: 0, max: 3 }), (data, start, cls) => {
        const width = 12;
        const height = 8;
        const map = { width, height, data: Uint8Array.from(data) };
        const expected = Uint8Array.from(data);
        const target = expected[start] as number;
        if (target !== cls) {
          const queue = [start];
          const seen = new Set([start]);
          while (queue.length) {
            const i = queue.shift() as number;
            expected[i] = cls;
            const x = i % width;
            const near = [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, i - width, i + width];
            for (const n of near) {
              if (n < 0 || n >= width * height || seen.has(n) || data[n] !== target) continue;
              seen.add(n);
              queue.push(n);
            }
          }
        }
        applyPatch(map, floodFill(map, start % width, Math.floor(start / width), cls));
        expect(map.data).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('fills 1024×1024 as one run per row, quickly', () => {
    const map = createLabelMap(1024, 1024);
    const start = performance.now();
    const patch = floodFill(map, 500, 500, 1);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(patch.starts.length).toBe(1024);
    expect(patchPixelCount(patch)).toBe(1024 * 1024);
  });
});
