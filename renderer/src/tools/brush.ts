/**
 * The round brush (and the eraser, which is the brush painting the background class). A stroke
 * segment from a to b with radius r is a capsule; a capsule is convex, so each row crosses it in
 * ONE interval, which is computed analytically rather than by stamping discs.
 */
import type { LabelMap } from '../../../shared/labelmap.ts';
import type { LabelPatch } from './patch.ts';
import { paintSpans } from './patch.ts';
import { SpanList } from './spans.ts';

export interface Point {
  x: number;
  y: number;
}

/** Pointer positions are snapped to pixel centres so a size-1 brush paints exactly one pixel. */
export function snapToPixel(p: Point): Point {
  return { x: Math.floor(p.x) + 0.5, y: Math.floor(p.y) + 0.5 };
}

/** Brush size (diameter in pixels) to capsule radius: size 1 → just the centre pixel. */
export function brushRadius(size: number): number {
  return Math.max(0.5, size / 2);
}

function intersect(a: [number, number] | null, lo: number, hi: number): [number, number] | null {
  if (!a) return null;
  const l = Math.max(a[0], lo);
  const h = Math.min(a[1], hi);
  return h >= l ? [l, h] : null;
}

/** The x-interval (of pixel-centre coordinates) of row centre `yc` inside the capsule, or null. */
function capsuleRow(a: Point, b: Point, r: number, yc: number): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of [a, b]) {
    const dy = yc - c.y;
    if (Math.abs(dy) <= r) {
      const half = Math.sqrt(r * r - dy * dy);
      lo = Math.min(lo, c.x - half);
      hi = Math.max(hi, c.x + half);
    }
  }
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy);
  if (len > 1e-9) {
    // Band: 0 ≤ ((p−a)·d)/len² ≤ 1 and |((p−a)×d)|/len ≤ r, intersected for p = (x, yc).
    let band: [number, number] | null = [-Infinity, Infinity];
    const py = yc - a.y;
    // Projection constraint: 0 ≤ (x−a.x)·dx + py·dy ≤ len².
    if (Math.abs(dx) > 1e-12) {
      const t0 = (0 - py * dy) / dx;
      const t1 = (len * len - py * dy) / dx;
      band = intersect(band, Math.min(t0, t1) + a.x, Math.max(t0, t1) + a.x);
    } else if (py * dy < 0 || py * dy > len * len) {
      band = null;
    }
    // Distance constraint: |(x−a.x)·dy − py·dx| ≤ r·len.
    if (band) {
      if (Math.abs(dy) > 1e-12) {
        const c0 = (py * dx - r * len) / dy;
        const c1 = (py * dx + r * len) / dy;
        band = intersect(band, Math.min(c0, c1) + a.x, Math.max(c0, c1) + a.x);
      } else if (Math.abs(py * dx) > r * len) {
        band = null;
      }
    }
    if (band) {
      lo = Math.min(lo, band[0]);
      hi = Math.max(hi, band[1]);
    }
  }
  return hi >= lo ? [lo, hi] : null;
}

/** Pixel spans covered by a capsule: pixel (x, y) is in when its centre is within r of segment ab. */
export function capsuleSpans(a: Point, b: Point, radius: number, width: number, height: number): SpanList {
  const spans = new SpanList();
  const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - radius));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(a.y, b.y) + radius));
  for (let y = y0; y <= y1; y++) {
    const row = capsuleRow(a, b, radius, y + 0.5);
    if (!row) continue;
    // Centre x+0.5 in [lo, hi] ⇔ x in [lo−0.5, hi−0.5]. A tiny epsilon absorbs float error on exact edges.
    const x0 = Math.max(0, Math.ceil(row[0] - 0.5 - 1e-9));
    const x1 = Math.min(width, Math.floor(row[1] - 0.5 + 1e-9) + 1);
    spans.push(y, x0, x1);
  }
  return spans;
}

/** One brush segment (a dab when from = to) painting `classId`. Pure: the map is not changed. */
export function brushSegment(map: LabelMap, from: Point, to: Point, size: number, classId: number): LabelPatch {
  return paintSpans(map, capsuleSpans(snapToPixel(from), snapToPixel(to), brushRadius(size), map.width, map.height), classId);
}
