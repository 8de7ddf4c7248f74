/**
 * Outpainting in the studio: the result being extended (its pixels and tokens) and, for every
 * canvas size it has been extended to, where it sits. Extending is an ordinary undoable layout
 * step; because each extension makes the canvas strictly larger, the layout's size alone says
 * which placement applies after any undo or redo.
 */
import type { StateCreator } from 'zustand';
import type { Studio } from './store.ts';
import type { GenerationResult, RgbaImage } from './types.ts';
import type { ExtendSide } from '../tools/extend-layout.ts';

/** A canvas size and where the source image's top-left sits in it (pixels). */
export interface OutpaintFrame {
  width: number;
  height: number;
  x: number;
  y: number;
}

export interface OutpaintSource {
  /** The gallery entry it came from. */
  entryId: string;
  image: RgbaImage;
  tokens: GenerationResult['tokens'];
  modelId: string;
  frames: OutpaintFrame[];
}

export interface OutpaintSlice {
  outpaintSource: OutpaintSource | null;
  extendSide: ExtendSide;
  /** How many token windows one Extend adds. */
  extendWindows: number;
  setExtend(patch: { side?: ExtendSide; windows?: number }): void;
  setOutpaintSource(source: OutpaintSource | null): void;
  /** The tEXt of the last picture dropped (a Tessera PNG's tokens travel there). */
  importedText: { image: RgbaImage; text: Record<string, string> } | null;
  setImportedText(value: { image: RgbaImage; text: Record<string, string> } | null): void;
}

export const createOutpaintSlice: StateCreator<Studio, [], [], OutpaintSlice> = (set) => ({
  outpaintSource: null,
  extendSide: 'right',
  extendWindows: 1,
  setExtend: (patch) => set((s) => ({ extendSide: patch.side ?? s.extendSide, extendWindows: patch.windows ?? s.extendWindows })),
  setOutpaintSource: (outpaintSource) => set({ outpaintSource }),
  importedText: null,
  setImportedText: (importedText) => set({ importedText }),
});

/** The placement for the canvas as it is now, or null when the canvas is not an extension of the source. */
export function selectOutpaintFrame(s: Studio): OutpaintFrame | null {
  const src = s.outpaintSource;
  if (!src) return null;
  return src.frames.find((f) => f.width === s.layout.width && f.height === s.layout.height) ?? null;
}

/** Whether Outpaint has something to do: the canvas is the source's, grown. */
export function selectCanOutpaint(s: Studio): boolean {
  const f = selectOutpaintFrame(s);
  return f !== null && s.outpaintSource !== null && (f.width > s.outpaintSource.image.width || f.height > s.outpaintSource.image.height);
}
