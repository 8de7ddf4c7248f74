/**
 * The document: the label map being painted (mutated in place by tools, announced through
 * `layoutRevision` so pixels never go through React), its undo history, and the image that
 * inpainting edits. Components subscribe to revisions and flags, never to the pixel data.
 */
import type { StateCreator } from 'zustand';
import { createLabelMap } from '../../../shared/labelmap.ts';
import type { LabelMap } from '../../../shared/labelmap.ts';
import type { HistoryState } from '../tools/history.ts';
import { emptyHistory, pushEntry, step } from '../tools/history.ts';
import type { LabelPatch } from '../tools/patch.ts';
import { applyPatch, isEmptyPatch } from '../tools/patch.ts';
import type { ResizeMode } from '../tools/resize-layout.ts';
import { resizeLayout } from '../tools/resize-layout.ts';
import type { Rect } from '../tools/spans.ts';
import type { Studio } from './store.ts';
import type { RgbaImage } from './types.ts';

export interface DocumentSlice {
  layout: LabelMap;
  layoutRevision: number;
  /** What changed in the last revision (null = everything): lets the canvas redraw just that. */
  layoutDirty: Rect | null;
  history: HistoryState;
  projectName: string;
  /** Revision of the last save (file or recovery) for the unsaved-changes marker. */
  savedRevision: number;
  /** The gallery as it was at the last save: results made since are unsaved work too. */
  savedGallery: readonly unknown[];
  /** The image inpainting starts from (a generated result or an imported picture). */
  baseImage: RgbaImage | null;
  /** Applies a tool's patch and records it as one undo step. */
  applyPatchEdit(patch: LabelPatch, label: string): void;
  /** Records a patch that is already applied (a finished brush stroke). */
  commitAppliedPatch(patch: LabelPatch, label: string): void;
  /** Replaces the whole map (resize, import, restore) as one undoable step. */
  replaceLayout(map: LabelMap, label: string, options?: { undoable?: boolean }): void;
  undo(): void;
  redo(): void;
  /** Scales the layout or keeps it at an anchor (tools/resize-layout.ts), as one undo step. */
  resizeCanvas(width: number, height: number, fillClass: number, mode?: ResizeMode): void;
  setBaseImage(image: RgbaImage | null): void;
  setProjectName(name: string): void;
  markSaved(): void;
  /** Recovered work is in no file yet: it counts as unsaved. */
  markUnsaved(): void;
}

export const DEFAULT_CANVAS = { width: 256, height: 256 };

export const createDocumentSlice: StateCreator<Studio, [], [], DocumentSlice> = (set, get) => ({
  layout: createLabelMap(DEFAULT_CANVAS.width, DEFAULT_CANVAS.height),
  layoutRevision: 0,
  layoutDirty: null,
  history: emptyHistory(),
  projectName: 'Untitled',
  savedRevision: 0,
  savedGallery: [],
  baseImage: null,
  applyPatchEdit(patch, label) {
    if (isEmptyPatch(patch)) return;
    applyPatch(get().layout, patch);
    get().commitAppliedPatch(patch, label);
  },
  commitAppliedPatch(patch, label) {
    if (isEmptyPatch(patch)) return;
    set((s) => ({ history: pushEntry(s.history, { kind: 'patch', label, patch }), layoutRevision: s.layoutRevision + 1, layoutDirty: patch.bounds }));
  },
  replaceLayout(map, label, options) {
    set((s) => ({
      layout: map,
      history: options?.undoable === false ? emptyHistory() : pushEntry(s.history, { kind: 'replace', label, before: s.layout, after: map }),
      layoutRevision: s.layoutRevision + 1,
      layoutDirty: null,
    }));
  },
  undo() {
    const s = get();
    const r = step(s.history, s.layout, 'undo');
    if (r) set({ history: r.history, layout: r.map, layoutRevision: s.layoutRevision + 1, layoutDirty: r.entry.kind === 'patch' ? r.entry.patch.bounds : null });
  },
  redo() {
    const s = get();
    const r = step(s.history, s.layout, 'redo');
    if (r) set({ history: r.history, layout: r.map, layoutRevision: s.layoutRevision + 1, layoutDirty: r.entry.kind === 'patch' ? r.entry.patch.bounds : null });
  },
  resizeCanvas(width, height, fillClass, mode = 'scale') {
    const old = get().layout;
    if (old.width === width && old.height === height) return;
    // One undoable step: undo gets the old layout back exactly, whatever the mode.
    const map = resizeLayout(old, width, height, mode, fillClass);
    get().replaceLayout(map, `resize to ${width}×${height}`);
    set({ baseImage: null });
  },
  setBaseImage(image) {
    set({ baseImage: image });
  },
  setProjectName(name) {
    set({ projectName: name });
  },
  markSaved() {
    set((s) => ({ savedRevision: s.layoutRevision, savedGallery: s.gallery }));
  },
  markUnsaved() {
    set({ savedRevision: -1, savedGallery: [] });
  },
});

export const selectCanUndo = (s: Studio): boolean => s.history.undo.length > 0;
export const selectCanRedo = (s: Studio): boolean => s.history.redo.length > 0;
export const selectCanvasSize = (s: Studio): string => `${s.layout.width}×${s.layout.height}`;
export const selectIsDirty = (s: Studio): boolean => s.layoutRevision !== s.savedRevision;
/** Work that New would lose: layout edits or results since the last save. */
export const selectHasUnsavedWork = (s: Studio): boolean => selectIsDirty(s) || (s.gallery !== s.savedGallery && s.gallery.length > 0);
