import { describe, expect, it } from 'vitest';
import { createLabelMap } from '../../../shared/labelmap.ts';
import { constrainAngle, drawLine } from './line.ts';
import { applyPatch } from './patch.ts';
import { toArt } from './test-helpers.ts';

describe('line', () => {
  it('draws a 1-px diagonal from corner to corner', () => {
    const map = createLabelMap(4, 4);
    applyPatch(map, drawLine(map, { x: 0, y: 0 }, { x: 3, y: 3 }, 1, 5));
    expect(toArt(map)).toEqual(['5000', '0500', '0050', '0005']);
  });

  it('snaps to 45° steps when constrained', () => {
    expect(constrainAngle({ x: 0, y: 0 }, { x: 10, y: 1 })).toEqual({ x: 10, y: 0 });
    expect(constrainAngle({ x: 0, y: 0 }, { x: 10, y: 9 })).toEqual({ x: 10, y: 10 });
  });
});
