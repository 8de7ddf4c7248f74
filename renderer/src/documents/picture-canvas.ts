/**
 * The canvas a picture is imported into: the usable size (grid multiples, at least one window,
 * within the canvas limit) closest to the picture's aspect ratio with about the current canvas's
 * area, so a 2:1 photo gets a 2:1 canvas instead of being squeezed or half cut away.
 */
import { checkCanvasSize, DEFAULT_MAX_CANVAS, type PixelSize, type WindowSize } from '../../../shared/grid.ts';

export function canvasForPicture(picture: PixelSize, current: PixelSize, gridFactor: number, window: WindowSize, max: PixelSize = DEFAULT_MAX_CANVAS): PixelSize {
  const aspect = picture.width / picture.height;
  if (!(aspect > 0) || !Number.isFinite(aspect)) return current;
  const area = current.width * current.height;
  const minW = window.cols * gridFactor;
  const minH = window.rows * gridFactor;
  const maxW = max.width - (max.width % gridFactor);
  const maxH = max.height - (max.height % gridFactor);
  const round = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, Math.round(v / gridFactor) * gridFactor));
  let best: PixelSize = current;
  let bestScore = Infinity;
  // Every usable width near the ideal one, each with the height that keeps the aspect best.
  const ideal = Math.sqrt(area * aspect);
  for (let width = round(ideal / 2, minW, maxW); width <= round(ideal * 2, minW, maxW); width += gridFactor) {
    const height = round(width / aspect, minH, maxH);
    if (!checkCanvasSize({ width, height }, gridFactor, window, max).ok) continue;
    // Aspect first (log ratio), then closeness to the current area.
    const score = Math.abs(Math.log(width / height / aspect)) * 10 + Math.abs(Math.log((width * height) / area));
    if (score < bestScore) {
      bestScore = score;
      best = { width, height };
    }
  }
  return best;
}
