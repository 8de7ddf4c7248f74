/**
 * Moving a layout between models: classes are matched by name (case- and space-insensitive).
 * Classes with no match need a decision from the person, so the mapping reports them instead of
 * guessing.
 */
import type { LabelMap } from '../../../shared/labelmap.ts';

export interface NamedClass {
  id: number;
  name: string;
}

export interface ClassMapping {
  /** old id → new id for the classes matched by name. */
  matched: Map<number, number>;
  /** Old classes with no same-named class in the new model (only those used by the layout). */
  unmatched: NamedClass[];
}

const key = (name: string): string => name.trim().toLowerCase().replace(/[\s_-]+/g, ' ');

export function usedClasses(map: LabelMap): Set<number> {
  const seen = new Uint8Array(256);
  for (let i = 0; i < map.data.length; i++) seen[map.data[i] as number] = 1;
  const used = new Set<number>();
  seen.forEach((v, id) => v && used.add(id));
  return used;
}

export function mapClassesByName(from: readonly NamedClass[], to: readonly NamedClass[], used: ReadonlySet<number>): ClassMapping {
  const byName = new Map(to.map((c) => [key(c.name), c.id]));
  const matched = new Map<number, number>();
  const unmatched: NamedClass[] = [];
  for (const c of from) {
    const target = byName.get(key(c.name));
    if (target !== undefined) matched.set(c.id, target);
    else if (used.has(c.id)) unmatched.push(c);
  }
  return { matched, unmatched };
}

/** A new map with every class translated (`fallback` for ids the table lacks). */
export function remapLabelMap(map: LabelMap, table: ReadonlyMap<number, number>, fallback: number): LabelMap {
  const lut = new Uint8Array(256).fill(fallback);
  table.forEach((to, from) => (lut[from] = to));
  const data = new Uint8Array(map.data.length);
  for (let i = 0; i < data.length; i++) data[i] = lut[map.data[i] as number] as number;
  return { width: map.width, height: map.height, data };
}
