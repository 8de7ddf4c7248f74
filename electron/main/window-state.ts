/**
 * The main window's remembered geometry: parsed leniently from disk (a corrupt or old file gives
 * the defaults, never a crash) and clamped to the displays that exist now — a window saved on a
 * monitor that has since been unplugged must not reopen off-screen. Plain data in, plain data out;
 * window-state-store.ts does the I/O and main/index.ts reads the displays from Electron's `screen`.
 */
import { z } from 'zod';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  /** Absent on first run: let the OS place (centre) the window. */
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 820, maximized: false };
export const MIN_WINDOW_SIZE = { width: 800, height: 560 };
/** How much of the window (title bar strip) must stay on a display for it to count as visible. */
const VISIBLE_MARGIN = { width: 120, height: 48 };

const finite = z.number().finite();
const StoredStateSchema = z.object({
  x: finite.int().optional(),
  y: finite.int().optional(),
  width: finite.int().positive(),
  height: finite.int().positive(),
  maximized: z.boolean().default(false),
});

/** Whatever was on disk → a WindowState, falling back to the defaults on anything malformed. */
export function parseWindowState(raw: unknown): WindowState {
  const parsed = StoredStateSchema.safeParse(raw);
  if (!parsed.success) return { ...DEFAULT_WINDOW_STATE };
  const { x, y, width, height, maximized } = parsed.data;
  const state: WindowState = { width, height, maximized };
  if (x !== undefined && y !== undefined) {
    state.x = x;
    state.y = y;
  }
  return state;
}

function overlap(a: Rect, b: Rect): Rect {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const width = Math.min(a.x + a.width, b.x + b.width) - x;
  const height = Math.min(a.y + a.height, b.y + b.height) - y;
  return { x, y, width: Math.max(0, width), height: Math.max(0, height) };
}

/**
 * Fits the state to the displays' work areas: the size is capped by the largest work area (and
 * floored at the minimum), and the position is kept only if the window's top strip overlaps a work
 * area by at least VISIBLE_MARGIN; otherwise the window is centred on the primary display.
 * `workAreas[0]` is the primary display. With no displays (headless), the state passes unchanged.
 */
export function clampToDisplays(state: WindowState, workAreas: readonly Rect[]): WindowState {
  const primary = workAreas[0];
  if (primary === undefined) return { ...state };
  const maxWidth = Math.max(...workAreas.map((a) => a.width));
  const maxHeight = Math.max(...workAreas.map((a) => a.height));
  const width = Math.max(Math.min(state.width, maxWidth), Math.min(MIN_WINDOW_SIZE.width, maxWidth));
  const height = Math.max(Math.min(state.height, maxHeight), Math.min(MIN_WINDOW_SIZE.height, maxHeight));
  const result: WindowState = { width, height, maximized: state.maximized };

  if (state.x !== undefined && state.y !== undefined) {
    const titleStrip: Rect = { x: state.x, y: state.y, width, height: VISIBLE_MARGIN.height };
    const home = workAreas.find((area) => {
      const o = overlap(titleStrip, area);
      return o.width >= Math.min(VISIBLE_MARGIN.width, width) && o.height > 0;
    });
    if (home !== undefined) {
      // Pull the window fully inside the display it mostly sits on, so no edge hides off-screen.
      result.x = Math.min(Math.max(state.x, home.x), home.x + home.width - Math.min(width, home.width));
      result.y = Math.min(Math.max(state.y, home.y), home.y + home.height - Math.min(height, home.height));
      result.width = Math.min(width, home.width);
      result.height = Math.min(height, home.height);
      return result;
    }
  }
  if (state.x !== undefined || state.y !== undefined) {
    // Remembered position is off every display: centre on the primary one instead.
    const w = Math.min(width, primary.width);
    const h = Math.min(height, primary.height);
    return { x: primary.x + Math.round((primary.width - w) / 2), y: primary.y + Math.round((primary.height - h) / 2), width: w, height: h, maximized: state.maximized };
  }
  return result;
}

/** The state to remember: the normal (un-maximised) bounds plus the maximised flag. */
export function captureWindowState(normalBounds: Rect, maximized: boolean): WindowState {
  return { x: Math.round(normalBounds.x), y: Math.round(normalBounds.y), width: Math.round(normalBounds.width), height: Math.round(normalBounds.height), maximized };
}
