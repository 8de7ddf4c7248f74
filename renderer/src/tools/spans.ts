/**
 * Horizontal pixel spans: the common currency of the drawing tools. Every shape Tessera paints
 * (capsules for the brush and line, rectangles, flood-fill regions, class replacements) is a set
 * of rows with one or more [x0, x1) intervals, so tools can describe "which pixels" without
 * touching the label map, and paintSpans turns that into an undoable patch in one pass.
 */
export class SpanList {
  private ys: number[] = [];
  private x0s: number[] = [];
  private x1s: number[] = [];

  /** Adds [x0, x1) on row y; empty spans are dropped. */
  push(y: number, x0: number, x1: number): void {
    if (x1 <= x0) return;
    this.ys.push(y);
    this.x0s.push(x0);
    this.x1s.push(x1);
  }

  get length(): number {
    return this.ys.length;
  }

  forEach(fn: (y: number, x0: number, x1: number) => void): void {
    for (let i = 0; i < this.ys.length; i++) fn(this.ys[i] as number, this.x0s[i] as number, this.x1s[i] as number);
  }
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Clips [x0, x1) on row y to a width×height map; returns null when nothing is left. */
export function clipSpan(y: number, x0: number, x1: number, width: number, height: number): [number, number] | null {
  if (y < 0 || y >= height) return null;
  const a = Math.max(0, Math.floor(x0));
  const b = Math.min(width, Math.ceil(x1));
  return b > a ? [a, b] : null;
}
