import { describe, expect, it } from 'vitest';
import { extendLayout } from './extend-layout.ts';

// 2×2: classes 1 2 / 3 4.
const old = { width: 2, height: 2, data: new Uint8Array([1, 2, 3, 4]) };

describe('extendLayout', () => {
  it('keeps the old pixels at their offset and continues the edge classes into the new strip', () => {
    const right = extendLayout(old, 'right', 2);
    expect([right.map.width, right.map.height, right.dx, right.dy]).toEqual([4, 2, 0, 0]);
    expect(Array.from(right.map.data)).toEqual([1, 2, 2, 2, 3, 4, 4, 4]);
    const top = extendLayout(old, 'top', 1);
    expect([top.map.width, top.map.height, top.dx, top.dy]).toEqual([2, 3, 0, 1]);
    expect(Array.from(top.map.data)).toEqual([1, 2, 1, 2, 3, 4]);
    const left = extendLayout(old, 'left', 1);
    expect([left.dx, left.dy]).toEqual([1, 0]);
    expect(Array.from(left.map.data)).toEqual([1, 1, 2, 3, 3, 4]);
    const bottom = extendLayout(old, 'bottom', 1);
    expect(Array.from(bottom.map.data)).toEqual([1, 2, 3, 4, 3, 4]);
  });
});
