import { describe, expect, it } from 'vitest';
import { replaceClass } from './replace-class.ts';
import { applyPatch, invertPatch } from './patch.ts';
import { fromArt, toArt } from './test-helpers.ts';

describe('replace class', () => {
  it('replaces every pixel of one class, everywhere, and undoes exactly', () => {
    const map = fromArt(['0120', '2101']);
    const patch = replaceClass(map, 1, 3);
    applyPatch(map, patch);
    expect(toArt(map)).toEqual(['0320', '2303']);
    applyPatch(map, invertPatch(patch));
    expect(toArt(map)).toEqual(['0120', '2101']);
  });
});
