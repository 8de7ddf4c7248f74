/** Small builders shared by the tool tests: label maps from ASCII art and back. */
import type { LabelMap } from '../../../shared/labelmap.ts';

/** Rows of digits, one class per character: `fromArt(['001', '011'])`. */
export function fromArt(rows: string[]): LabelMap {
  const height = rows.length;
  const width = (rows[0] ?? '').length;
  const data = new Uint8Array(width * height);
  rows.forEach((row, y) => [...row].forEach((ch, x) => (data[y * width + x] = Number(ch))));
  return { width, height, data };
}

export function toArt(map: LabelMap): string[] {
  const rows: string[] = [];
  for (let y = 0; y < map.height; y++) rows.push([...map.data.subarray(y * map.width, (y + 1) * map.width)].join(''));
  return rows;
}
