/**
 * Label patches: the diff of one edit, stored as runs of consecutive pixels that changed from one
 * class to another. Undo keeps only these (a full-canvas fill at 1024×1024 is ~1k runs, ~10 kB),
 * never copies of the map. Applying a patch forward writes `after`, backward writes `before`.
 */
import type { LabelMap } from '../../../shared/labelmap.ts';
import type { Rect, SpanList } from './spans.ts';
import { clipSpan } from './spans.ts';

export interface LabelPatch {
  /** Size of the map the patch was made for; applying it to another size is a bug. */
  width: number;
  height: number;
  starts: Uint32Array;
  lengths: Uint32Array;
  before: Uint8Array;
  after: Uint8Array;
  /** Bounding box of the changed pixels (null for an empty patch): what to redraw. */
  bounds: Rect | null;
}

/** Accumulates runs in pixel order; consecutive pixels with the same before/after join one run. */
export class RunWriter {
  private starts: number[] = [];
  private lengths: number[] = [];
  private before: number[] = [];
  private after: number[] = [];
  private minX = Infinity;
  private minY = Infinity;
  private maxX = -Infinity;
  private maxY = -Infinity;

  constructor(
    private readonly width: number,
    private readonly height: number,
  ) {}

  add(index: number, before: number, after: number): void {
    const last = this.starts.length - 1;
    if (
      last >= 0 &&
      (this.starts[last] as number) + (this.lengths[last] as number) === index &&
      this.before[last] === before &&
      this.after[last] === after &&
      // Runs never wrap rows, so a run's bounds are one row segment.
      index % this.width !== 0
    ) {
      this.lengths[last] = (this.lengths[last] as number) + 1;
    } else {
      this.starts.push(index);
      this.lengths.push(1);
      this.before.push(before);
      this.after.push(after);
    }
    const x = index % this.width;
    const y = (index - x) / this.width;
    if (x < this.minX) this.minX = x;
    if (x > this.maxX) this.maxX = x;
    if (y < this.minY) this.minY = y;
    if (y > this.maxY) this.maxY = y;
  }

  /** Adds `length` consecutive pixels of ONE row that all change from `before` to `after`. */
  addRun(start: number, length: number, before: number, after: number): void {
    if (length <= 0) return;
    const last = this.starts.length - 1;
    if (last >= 0 && (this.starts[last] as number) + (this.lengths[last] as number) === start && this.before[last] === before && this.after[last] === after && start % this.width !== 0) {
      this.lengths[last] = (this.lengths[last] as number) + length;
    } else {
      this.starts.push(start);
      this.lengths.push(length);
      this.before.push(before);
      this.after.push(after);
    }
    const x = start % this.width;
    const y = (start - x) / this.width;
    if (x < this.minX) this.minX = x;
    if (x + length - 1 > this.maxX) this.maxX = x + length - 1;
    if (y < this.minY) this.minY = y;
    if (y > this.maxY) this.maxY = y;
  }

  finish(): LabelPatch {
    const empty = this.starts.length === 0;
    return {
      width: this.width,
      height: this.height,
      starts: Uint32Array.from(this.starts),
      lengths: Uint32Array.from(this.lengths),
      before: Uint8Array.from(this.before),
      after: Uint8Array.from(this.after),
      bounds: empty ? null : { x: this.minX, y: this.minY, width: this.maxX - this.minX + 1, height: this.maxY - this.minY + 1 },
    };
  }
}

/**
 * The patch that sets every pixel of `spans` to `classId`, without touching the map. Pixels that
 * already hold the class are left out, so a patch records only real changes. Spans must be in
 * increasing pixel order and not overlap for the runs to merge (every tool emits them that way);
 * out-of-order spans still give a correct, just longer, patch.
 */
export function paintSpans(map: LabelMap, spans: SpanList, classId: number): LabelPatch {
  const writer = new RunWriter(map.width, map.height);
  spans.forEach((y, x0, x1) => {
    const clipped = clipSpan(y, x0, x1, map.width, map.height);
    if (!clipped) return;
    const row = y * map.width;
    // Walk runs of equal classes: one writer call per run, not per pixel (fills are ~1M pixels).
    let x = clipped[0];
    while (x < clipped[1]) {
      const before = map.data[row + x] as number;
      let end = x + 1;
      while (end < clipped[1] && map.data[row + end] === before) end++;
      if (before !== classId) writer.addRun(row + x, end - x, before, classId);
      x = end;
    }
  });
  return writer.finish();
}

export function isEmptyPatch(patch: LabelPatch): boolean {
  return patch.starts.length === 0;
}

/** Writes the patch into the map (mutates it): `after` forward, `before` backward. */
export function applyPatch(map: LabelMap, patch: LabelPatch, direction: 'forward' | 'backward' = 'forward'): void {
  if (map.width !== patch.width || map.height !== patch.height) {
    throw new Error(`patch for ${patch.width}×${patch.height} applied to a ${map.width}×${map.height} map`);
  }
  const values = direction === 'forward' ? patch.after : patch.before;
  for (let r = 0; r < patch.starts.length; r++) {
    const start = patch.starts[r] as number;
    map.data.fill(values[r] as number, start, start + (patch.lengths[r] as number));
  }
}

export function invertPatch(patch: LabelPatch): LabelPatch {
  return { ...patch, before: patch.after, after: patch.before };
}

/** Approximate memory held by a patch, for the history budget. */
export function patchBytes(patch: LabelPatch): number {
  return patch.starts.length * 10 + 64;
}

/** Number of pixels a patch changes. */
export function patchPixelCount(patch: LabelPatch): number {
  let n = 0;
  for (let r = 0; r < patch.lengths.length; r++) n += patch.lengths[r] as number;
  return n;
}
