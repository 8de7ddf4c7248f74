/**
 * Inpaint mode: a region mask over the base image (painted with the same pure tools as the
 * layout, with class 1 = regenerate), the layout as it was when the mode began (so layout edits
 * inside the region count), and the staging strip of candidate results awaiting accept/discard.
 */
import type { StateCreator } from 'zustand';
import { createLabelMap } from '../../../shared/labelmap.ts';
import type { LabelMap } from '../../../shared/labelmap.ts';
import type { HistoryState } from '../tools/history.ts';
import { emptyHistory, pushEntry, step } from '../tools/history.ts';
import type { LabelPatch } from '../tools/patch.ts';
import { isEmptyPatch } from '../tools/patch.ts';
import type { Rect } from '../tools/spans.ts';
import type { Studio } from './store.ts';
import type { GalleryEntry } from './types.ts';

export type PaintTarget = 'mask' | 'layout';

export interface InpaintSlice {
  inpaintActive: boolean;
  paintTarget: PaintTarget;
  mask: LabelMap;
  maskRevision: number;
  maskDirty: Rect | null;
  maskHistory: HistoryState;
  previousLayout: LabelMap | null;
  dilation: number;
  blend: number;
  staging: GalleryEntry[];
  stagingIndex: number;
  enterInpaint(): void;
  exitInpaint(): void;
  setPaintTarget(target: PaintTarget): void;
  commitMaskPatch(patch: LabelPatch): void;
  clearMask(): void;
  undoMask(): void;
  setInpaintOptions(options: { dilation?: number; blend?: number }): void;
  stageResult(entry: GalleryEntry): void;
  setStagingIndex(index: number): void;
  dropStaged(id: string): void;
}

export const createInpaintSlice: StateCreator<Studio, [], [], InpaintSlice> = (set, get) => ({
  inpaintActive: false,
  paintTarget: 'mask',
  mask: createLabelMap(1, 1),
  maskRevision: 0,
  maskDirty: null,
  maskHistory: emptyHistory(),
  previousLayout: null,
  dilation: 0,
  blend: 4,
  staging: [],
  stagingIndex: 0,
  enterInpaint() {
    const { layout } = get();
    set((s) => ({
      inpaintActive: true,
      paintTarget: 'mask',
      mask: createLabelMap(layout.width, layout.height),
      maskHistory: emptyHistory(),
      maskRevision: s.maskRevision + 1,
      maskDirty: null,
      previousLayout: { width: layout.width, height: layout.height, data: layout.data.slice() },
    }));
  },
  exitInpaint: () => set((s) => ({ inpaintActive: false, previousLayout: null, maskRevision: s.maskRevision + 1, maskDirty: null })),
  setPaintTarget: (paintTarget) => set({ paintTarget }),
  commitMaskPatch(patch) {
    if (isEmptyPatch(patch)) return;
    set((s) => ({ maskHistory: pushEntry(s.maskHistory, { kind: 'patch', label: 'mask', patch }), maskRevision: s.maskRevision + 1, maskDirty: patch.bounds }));
  },
  clearMask: () => set((s) => ({ mask: createLabelMap(s.mask.width, s.mask.height), maskHistory: emptyHistory(), maskRevision: s.maskRevision + 1, maskDirty: null })),
  undoMask() {
    const s = get();
    const r = step(s.maskHistory, s.mask, 'undo');
    if (r) set({ maskHistory: r.history, mask: r.map, maskRevision: s.maskRevision + 1, maskDirty: null });
  },
  setInpaintOptions: (o) => set((s) => ({ dilation: o.dilation ?? s.dilation, blend: o.blend ?? s.blend })),
  stageResult: (entry) => set((s) => ({ staging: [...s.staging, entry], stagingIndex: s.staging.length })),
  setStagingIndex: (index) => set((s) => ({ stagingIndex: Math.max(0, Math.min(s.staging.length - 1, index)) })),
  dropStaged: (id) =>
    set((s) => {
      const staging = s.staging.filter((e) => e.id !== id);
      return { staging, stagingIndex: Math.max(0, Math.min(staging.length - 1, s.stagingIndex)) };
    }),
});

let changeCache: { layout: LabelMap; previous: LabelMap; revision: number; count: number } | null = null;

/**
 * Layout pixels repainted since inpaint mode began ("Layout inside"): they join the region the
 * engine regenerates (job.inpaint's previousLayout), so they count like masked pixels.
 */
export const selectRepaintedPixelCount = (s: Studio): number => {
  const previous = s.previousLayout;
  if (!s.inpaintActive || !previous || previous.width !== s.layout.width || previous.height !== s.layout.height) return 0;
  if (changeCache?.layout === s.layout && changeCache.previous === previous && changeCache.revision === s.layoutRevision) return changeCache.count;
  let n = 0;
  const a = s.layout.data;
  const b = previous.data;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  changeCache = { layout: s.layout, previous, revision: s.layoutRevision, count: n };
  return n;
};

let countCache: { mask: LabelMap; revision: number; count: number } | null = null;

/** Masked pixels; counted once per mask revision (selectors run on every store change). */
export const selectMaskPixelCount = (s: Studio): number => {
  if (countCache?.mask === s.mask && countCache.revision === s.maskRevision) return countCache.count;
  let n = 0;
  for (let i = 0; i < s.mask.data.length; i++) n += s.mask.data[i] as number;
  countCache = { mask: s.mask, revision: s.maskRevision, count: n };
  return n;
};
