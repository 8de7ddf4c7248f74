/** Studio preferences: backend, how the result is shown, batch output folder. */
import type { StateCreator } from 'zustand';
import type { Backend } from '../../../shared/protocol.ts';
import type { ResizeMode } from '../tools/resize-layout.ts';
import type { Studio } from './store.ts';

export type ViewMode = 'side' | 'overlay';
export type RightTab = 'generate' | 'batch' | 'inpaint' | 'outpaint';

export interface SettingsSlice {
  backend: Backend;
  viewMode: ViewMode;
  overlayOpacity: number;
  heatmap: boolean;
  batchFolder: string;
  rightTab: RightTab;
  /** How a canvas size change treats the layout: scale it, or keep it at an anchor. */
  resizeMode: ResizeMode;
  setResizeMode(mode: ResizeMode): void;
  setBackend(backend: Backend): void;
  setViewMode(mode: ViewMode): void;
  setOverlayOpacity(opacity: number): void;
  setHeatmap(on: boolean): void;
  setBatchFolder(folder: string): void;
  setRightTab(tab: RightTab): void;
}

export const createSettingsSlice: StateCreator<Studio, [], [], SettingsSlice> = (set) => ({
  backend: 'auto',
  viewMode: 'side',
  overlayOpacity: 0.6,
  heatmap: false,
  batchFolder: 'batch',
  rightTab: 'generate',
  resizeMode: 'scale',
  setResizeMode: (resizeMode) => set({ resizeMode }),
  setBackend: (backend) => set({ backend }),
  setViewMode: (viewMode) => set({ viewMode }),
  setOverlayOpacity: (overlayOpacity) => set({ overlayOpacity: Math.min(1, Math.max(0, overlayOpacity)) }),
  setHeatmap: (heatmap) => set({ heatmap }),
  setBatchFolder: (batchFolder) => set({ batchFolder }),
  setRightTab: (rightTab) => set({ rightTab }),
});
