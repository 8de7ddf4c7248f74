/**
 * Zoom and pan of the layout canvas. Pan drags update the canvas controller's own copy on every
 * pointer move and land here once, at the end; wheel zoom lands here per notch.
 */
import type { StateCreator } from 'zustand';
import type { Studio } from './store.ts';

export interface ViewportSlice {
  zoom: number;
  panX: number;
  panY: number;
  showGrid: boolean;
  /** Incremented to ask the canvas to fit the layout into view. */
  fitRequest: number;
  /** A zoom step about the canvas centre (menu or buttons); `factor` 0 means "actual size". */
  zoomRequest: { factor: number; seq: number };
  requestZoom(factor: number): void;
  setView(view: { zoom: number; panX: number; panY: number }): void;
  toggleGrid(): void;
  requestFit(): void;
}

export const ZOOM_MIN = 0.05;
export const ZOOM_MAX = 32;

export const createViewportSlice: StateCreator<Studio, [], [], ViewportSlice> = (set) => ({
  zoom: 1,
  panX: 0,
  panY: 0,
  showGrid: true,
  fitRequest: 0,
  zoomRequest: { factor: 1, seq: 0 },
  requestZoom: (factor) => set((s) => ({ zoomRequest: { factor, seq: s.zoomRequest.seq + 1 } })),
  setView: ({ zoom, panX, panY }) => set({ zoom: Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, zoom)), panX, panY }),
  toggleGrid: () => set((s) => ({ showGrid: !s.showGrid })),
  requestFit: () => set((s) => ({ fitRequest: s.fitRequest + 1 })),
});
