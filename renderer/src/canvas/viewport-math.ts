/** Zoom and pan maths (pure): screen = map × zoom + pan, in CSS pixels of the canvas element. */
import { ZOOM_MAX, ZOOM_MIN } from '../state/viewport-slice.ts';

export interface View {
  zoom: number;
  panX: number;
  panY: number;
}

export function screenToMap(view: View, sx: number, sy: number): { x: number; y: number } {
  return { x: (sx - view.panX) / view.zoom, y: (sy - view.panY) / view.zoom };
}

export function mapToScreen(view: View, x: number, y: number): { x: number; y: number } {
  return { x: x * view.zoom + view.panX, y: y * view.zoom + view.panY };
}

/** Zooms by `factor` keeping the map point under (sx, sy) fixed. */
export function zoomAt(view: View, sx: number, sy: number, factor: number): View {
  const zoom = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, view.zoom * factor));
  const k = zoom / view.zoom;
  return { zoom, panX: sx - (sx - view.panX) * k, panY: sy - (sy - view.panY) * k };
}

/** The view that shows the whole map centred with a margin. */
export function fitView(mapW: number, mapH: number, viewW: number, viewH: number, margin = 24): View {
  const zoom = Math.max(ZOOM_MIN, Math.min((viewW - 2 * margin) / mapW, (viewH - 2 * margin) / mapH, ZOOM_MAX));
  return { zoom, panX: (viewW - mapW * zoom) / 2, panY: (viewH - mapH * zoom) / 2 };
}
