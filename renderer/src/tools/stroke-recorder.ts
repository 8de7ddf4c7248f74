/**
 * Turns the many small patches of one brush stroke (one per pointer move, applied at once for
 * live feedback) into ONE undo step. It remembers each pixel's class before its first change,
 * then diffs that against the map when the stroke ends.
 */
import type { LabelMap } from '../../../shared/labelmap.ts';
import type { LabelPatch } from './patch.ts';
import { RunWriter } from './patch.ts';

export class StrokeRecorder {
  private readonly touched: Uint8Array;
  private readonly before: Uint8Array;
  private minX = Infinity;
  private minY = Infinity;
  private maxX = -Infinity;
  private maxY = -Infinity;

  constructor(private readonly map: LabelMap) {
    this.touched = new Uint8Array(map.width * map.height);
    this.before = new Uint8Array(map.width * map.height);
  }

  /** Call BEFORE applying `patch` to the map. */
  record(patch: LabelPatch): void {
    if (!patch.bounds) return;
    for (let r = 0; r < patch.starts.length; r++) {
      const start = patch.starts[r] as number;
      const end = start + (patch.lengths[r] as number);
      for (let i = start; i < end; i++) {
        if (this.touched[i]) continue;
        this.touched[i] = 1;
        this.before[i] = patch.before[r] as number;
      }
    }
    const b = patch.bounds;
    this.minX = Math.min(this.minX, b.x);
    this.minY = Math.min(this.minY, b.y);
    this.maxX = Math.max(this.maxX, b.x + b.width - 1);
    this.maxY = Math.max(this.maxY, b.y + b.height - 1);
  }

  /** The whole stroke as one patch (pixels painted and painted back are left out). */
  finish(): LabelPatch {
    const { width, height, data } = this.map;
    const writer = new RunWriter(width, height);
    for (let y = Math.max(0, this.minY); y <= Math.min(height - 1, this.maxY); y++) {
      for (let x = Math.max(0, this.minX); x <= Math.min(width - 1, this.maxX); x++) {
        const i = y * width + x;
        if (this.touched[i] && this.before[i] !== data[i]) writer.add(i, this.before[i] as number, data[i] as number);
      }
    }
    return writer.finish();
  }
}
