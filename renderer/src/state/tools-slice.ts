/** The active tool and its parameters (session state: not saved with the project). */
import type { StateCreator } from 'zustand';
import type { Studio } from './store.ts';
import type { ToolId } from './types.ts';

export interface ToolsSlice {
  tool: ToolId;
  /** The tool picked before a temporary switch (holding space pans). */
  brushSize: number;
  classId: number;
  /** The class the eraser paints: "nothing" does not exist in a label map. */
  backgroundClass: number;
  /** Replace-class: the class that gets replaced by `classId`. */
  replaceFrom: number | null;
  setTool(tool: ToolId): void;
  setBrushSize(size: number): void;
  nudgeBrushSize(direction: 1 | -1): void;
  setClass(id: number): void;
  setBackgroundClass(id: number): void;
  setReplaceFrom(id: number | null): void;
}

export const BRUSH_MIN = 1;
export const BRUSH_MAX = 256;

/** `[` and `]` step sizes multiplicatively so the whole range is reachable in a few presses. */
export function nextBrushSize(size: number, direction: 1 | -1): number {
  const stepped = direction > 0 ? Math.max(size + 1, Math.round(size * 1.25)) : Math.min(size - 1, Math.round(size / 1.25));
  return Math.min(BRUSH_MAX, Math.max(BRUSH_MIN, stepped));
}

export const createToolsSlice: StateCreator<Studio, [], [], ToolsSlice> = (set) => ({
  tool: 'brush',
  brushSize: 24,
  classId: 0,
  backgroundClass: 0,
  replaceFrom: null,
  setTool: (tool) => set({ tool }),
  setBrushSize: (size) => set({ brushSize: Math.min(BRUSH_MAX, Math.max(BRUSH_MIN, Math.round(size))) }),
  nudgeBrushSize: (direction) => set((s) => ({ brushSize: nextBrushSize(s.brushSize, direction) })),
  setClass: (id) => set({ classId: id }),
  setBackgroundClass: (id) => set({ backgroundClass: id }),
  setReplaceFrom: (id) => set({ replaceFrom: id }),
});
