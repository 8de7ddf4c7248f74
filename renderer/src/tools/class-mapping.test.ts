import { describe, expect, it } from 'vitest';
import { mapClassesByName, remapLabelMap, usedClasses } from './class-mapping.ts';
import { fromArt, toArt } from './test-helpers.ts';

describe('class mapping between models', () => {
  const oldClasses = [{ id: 0, name: 'sky' }, { id: 1, name: 'Water' }, { id: 2, name: 'lava' }];
  const newClasses = [{ id: 0, name: 'water' }, { id: 1, name: 'mountain' }, { id: 2, name: 'Sky' }];

  it('matches by name ignoring case and reports only used classes without a match', () => {
    const map = fromArt(['0012']);
    const mapping = mapClassesByName(oldClasses, newClasses, usedClasses(map));
    expect([...mapping.matched]).toEqual([[0, 2], [1, 0]]);
    expect(mapping.unmatched).toEqual([{ id: 2, name: 'lava' }]);
    expect(mapClassesByName(oldClasses, newClasses, usedClasses(fromArt(['01']))).unmatched).toEqual([]);
  });

  it('remaps the layout, sending unmatched classes to the chosen fallback', () => {
    const table = new Map([[0, 2], [1, 0]]);
    expect(toArt(remapLabelMap(fromArt(['0012']), table, 1))).toEqual(['2201']);
  });
});
