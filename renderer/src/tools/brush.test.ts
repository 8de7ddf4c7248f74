import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLabelMap } from '../../../shared/labelmap.ts';
import { brushRadius, brushSegment, capsuleSpans, snapToPixel } from './brush.ts';
import { applyPatch } from './patch.ts';
import { toArt } from './test-helpers.ts';

function distanceToSegment(px: number, py: number, a: { x: number; y: number }, b: { x: number; y: number }): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - a.x) * dx + (py - a.y) * dy) / len2));
  return Math.hypot(px - (a.x + t * dx), py - (a.y + t * dy));
}

describe('brush', () => {
  it('size 1 paints exactly the pixel under the pointer', () => {
    const map = createLabelMap(5, 3);
    applyPatch(map, brushSegment(map, { x: 2.9, y: 1.1 }, { x: 2.9, y: 1.1 }, 1, 7));
    expect(toArt(map)).toEqual(['00000', '00700', '00000']);
  });

  it('size 3 paints a 3×3 dab, clipped at the edge', () => {
    const map = createLabelMap(4, 4);
    applyPatch(map, brushSegment(map, { x: 0, y: 0 }, { x: 0, y: 0 }, 3, 1));
    expect(toArt(map)).toEqual(['1100', '1100', '0000', '0000']);
  });

  it('a segment leaves no gaps between its ends (hard edges, one class per pixel)', () => {
    const map = createLabelMap(10, 3);
    applyPatch(map, brushSegment(map, { x: 0, y: 1 }, { x: 9, y: 1 }, 1, 2));
    expect(toArt(map)).toEqual(['0000000000', '2222222222', '0000000000']);
  });

  it('covers exactly the pixels whose centres are within the radius (property)', () => {
    fc.assert(
      fc.property(
        fc.record({ ax: fc.double({ min: -3, max: 23, noNaN: true }), ay: fc.double({ min: -3, max: 23, noNaN: true }), bx: fc.double({ min: -3, max: 23, noNaN: true }), by: fc.double({ min: -3, max: 23, noNaN: true }), size: fc.integer({ min: 1, max: 9 }) }),
        ({ ax, ay, bx, by, size }) => {
          const a = snapToPixel({ x: ax, y: ay });
          const b = snapToPixel({ x: bx, y: by });
          const r = brushRadius(size);
          const inside = new Set<string>();
          capsuleSpans(a, b, r, 20, 20).forEach((y, x0, x1) => {
            for (let x = x0; x < x1; x++) inside.add(`${x},${y}`);
          });
          for (let y = 0; y < 20; y++) {
            for (let x = 0; x < 20; x++) {
              const d = distanceToSegment(x + 0.5, y + 0.5, a, b);
              // Skip centres within float noise of the boundary.
              if (Math.abs(d - r) < 1e-6) continue;
              expect(inside.has(`${x},${y}`)).toBe(d < r);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
