/** The eyedropper: the class under a map position, or null outside the map. */
import type { LabelMap } from '../../../shared/labelmap.ts';
import type { Point } from './brush.ts';

export function pickClass(map: LabelMap, p: Point): number | null {
  const x = Math.floor(p.x);
  const y = Math.floor(p.y);
  if (x < 0 || y < 0 || x >= map.width || y >= map.height) return null;
  return map.data[y * map.width + x] as number;
}
