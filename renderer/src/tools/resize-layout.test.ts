import { describe, expect, it } from 'vitest';
import { resizeLayout } from './resize-layout.ts';

// 4×2: left half class 1, right half class 2.
const old = { width: 4, height: 2, data: new Uint8Array([1, 1, 2, 2, 1, 1, 2, 2]) };
const rows = (m: { width: number; data: Uint8Array }) => Array.from({ length: m.data.length / m.width }, (_, y) => Array.from(m.data.subarray(y * m.width, (y + 1) * m.width)).join(''));

describe('canvas resize', () => {
  it('scales the layout with hard edges (nearest neighbour), keeping its proportions', () => {
    expect(rows(resizeLayout(old, 8, 4, 'scale', 0))).toEqual(['11112222', '11112222', '11112222', '11112222']);
    expect(rows(resizeLayout(old, 2, 2, 'scale', 0))).toEqual(['12', '12']);
  });

  it('keeps the pixels centred, padding evenly with the fill class', () => {
    expect(rows(resizeLayout(old, 8, 4, 'center', 0))).toEqual(['00000000', '00112200', '00112200', '00000000']);
  });

  it('anchors anywhere, and crops from the anchored side when shrinking', () => {
    expect(rows(resizeLayout(old, 6, 3, 'bottom-right', 9))).toEqual(['999999', '991122', '991122']);
    expect(rows(resizeLayout(old, 6, 2, 'top-left', 9))).toEqual(['112299', '112299']);
    expect(rows(resizeLayout(old, 2, 2, 'right', 9))).toEqual(['22', '22']);
    expect(rows(resizeLayout(old, 2, 2, 'center', 9))).toEqual(['12', '12']);
  });
});
