/** The line tool: a straight capsule of the brush's size from the drag start to its end. */
import type { LabelMap } from '../../../shared/labelmap.ts';
import type { Point } from './brush.ts';
import { brushSegment } from './brush.ts';
import type { LabelPatch } from './patch.ts';

export function drawLine(map: LabelMap, from: Point, to: Point, size: number, classId: number): LabelPatch {
  return brushSegment(map, from, to, size, classId);
}

/** Shift-constrained end point: snaps the line to the nearest multiple of 45°. */
export function constrainAngle(from: Point, to: Point): Point {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const angle = Math.round(Math.atan2(dy, dx) / (Math.PI / 4)) * (Math.PI / 4);
  const len = Math.hypot(dx, dy);
  return { x: from.x + Math.round(Math.cos(angle) * len), y: from.y + Math.round(Math.sin(angle) * len) };
}
