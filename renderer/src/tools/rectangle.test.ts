import { describe, expect, it } from 'vitest';
import { createLabelMap } from '../../../shared/labelmap.ts';
import { drawRectangle, rectFromCorners } from './rectangle.ts';
import { applyPatch } from './patch.ts';
import { toArt } from './test-helpers.ts';

describe('rectangle', () => {
  it('fills the box between two corners in any drag direction, both corners included', () => {
    const map = createLabelMap(5, 4);
    applyPatch(map, drawRectangle(map, { x: 3.7, y: 2.2 }, { x: 1.1, y: 1.9 }, 4));
    expect(toArt(map)).toEqual(['00000', '04440', '04440', '00000']);
  });

  it('clips to the map and is empty entirely outside it', () => {
    expect(rectFromCorners({ x: -5, y: -5 }, { x: 1, y: 1 }, 4, 4)).toEqual({ x: 0, y: 0, width: 2, height: 2 });
    expect(rectFromCorners({ x: 5, y: 5 }, { x: 9, y: 9 }, 4, 4)).toBeNull();
  });
});
