/** Replace-class: every pixel of one class becomes another, across the whole canvas. */
import type { LabelMap } from '../../../shared/labelmap.ts';
import type { LabelPatch } from './patch.ts';
import { RunWriter } from './patch.ts';

export function replaceClass(map: LabelMap, from: number, to: number): LabelPatch {
  const writer = new RunWriter(map.width, map.height);
  if (from !== to) {
    for (let y = 0; y < map.height; y++) {
      const row = y * map.width;
      let x = 0;
      while (x < map.width) {
        if (map.data[row + x] !== from) {
          x++;
          continue;
        }
        let end = x + 1;
        while (end < map.width && map.data[row + end] === from) end++;
        writer.addRun(row + x, end - x, from, to);
        x = end;
      }
    }
  }
  return writer.finish();
}
