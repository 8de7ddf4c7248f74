/** The rectangle tool: a filled axis-aligned box between two corner pixels (both included). */
import type { LabelMap } from '../../../shared/labelmap.ts';
import type { Point } from './brush.ts';
import type { LabelPatch } from './patch.ts';
import { paintSpans } from './patch.ts';
import type { Rect } from './spans.ts';
import { SpanList } from './spans.ts';

/** The pixel rectangle spanned by two pointer positions, clipped to the map. */
export function rectFromCorners(a: Point, b: Point, width: number, height: number): Rect | null {
  const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x)));
  const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y)));
  const x1 = Math.min(width - 1, Math.floor(Math.max(a.x, b.x)));
  const y1 = Math.min(height - 1, Math.floor(Math.max(a.y, b.y)));
  if (x1 < x0 || y1 < y0) return null;
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

export function rectSpans(rect: Rect): SpanList {
  const spans = new SpanList();
  for (let y = rect.y; y < rect.y + rect.height; y++) spans.push(y, rect.x, rect.x + rect.width);
  return spans;
}

export function drawRectangle(map: LabelMap, a: Point, b: Point, classId: number): LabelPatch {
  const rect = rectFromCorners(a, b, map.width, map.height);
  return paintSpans(map, rect ? rectSpans(rect) : new SpanList(), classId);
}
