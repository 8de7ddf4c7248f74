/**
 * Flood fill (paint bucket): the 4-connected region of the clicked pixel's class becomes
 * `classId`. 4-connectivity keeps diagonal one-pixel gaps closed, which matches how people read
 * hard-edged label maps. Scanline algorithm over a scratch copy of the map: a filled span is
 * overwritten in the copy, so "still the target class" doubles as "not visited yet", and each
 * span goes straight into the patch as one run (a 1024×1024 fill is one pass, ~1k runs).
 */
import type { LabelMap } from '../../../shared/labelmap.ts';
import type { LabelPatch } from './patch.ts';
import { RunWriter } from './patch.ts';

export function floodFill(map: LabelMap, px: number, py: number, classId: number): LabelPatch {
  const { width, height } = map;
  const writer = new RunWriter(width, height);
  const x = Math.floor(px);
  const y = Math.floor(py);
  if (x < 0 || y < 0 || x >= width || y >= height) return writer.finish();
  const target = map.data[y * width + x] as number;
  if (target === classId) return writer.finish();
  // Any value other than the target marks a pixel as done in the scratch copy.
  const done = target === 0 ? 1 : 0;
  const scratch = map.data.slice();
  const stack: number[] = [x, y];
  while (stack.length > 0) {
    const sy = stack.pop() as number;
    const sx = stack.pop() as number;
    const row = sy * width;
    if (scratch[row + sx] !== target) continue;
    let x0 = sx;
    while (x0 > 0 && scratch[row + x0 - 1] === target) x0--;
    let x1 = sx + 1;
    while (x1 < width && scratch[row + x1] === target) x1++;
    scratch.fill(done, row + x0, row + x1);
    writer.addRun(row + x0, x1 - x0, target, classId);
    if (sy > 0) pushSeeds(scratch, stack, row - width, sy - 1, x0, x1, target);
    if (sy < height - 1) pushSeeds(scratch, stack, row + width, sy + 1, x0, x1, target);
  }
  return writer.finish();
}

/** One seed per run of fillable pixels on a neighbouring row, within [x0, x1). */
function pushSeeds(scratch: Uint8Array, stack: number[], nrow: number, ny: number, x0: number, x1: number, target: number): void {
  let inRun = false;
  for (let nx = x0; nx < x1; nx++) {
    const fillable = scratch[nrow + nx] === target;
    if (fillable && !inRun) stack.push(nx, ny);
    inRun = fillable;
  }
}
