/**
 * The studio store: one zustand store built from slices (document, tools, viewport, models,
 * generation/jobs, gallery, settings, inpaint, outpaint, batch, ui). Components read it only through
 * selectors, so a progress event re-renders the progress bar and nothing else.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { BatchSlice } from './batch-slice.ts';
import { createBatchSlice } from './batch-slice.ts';
import type { DocumentSlice } from './document-slice.ts';
import { createDocumentSlice } from './document-slice.ts';
import type { GallerySlice } from './gallery-slice.ts';
import { createGallerySlice } from './gallery-slice.ts';
import type { GenerationSlice } from './generation-slice.ts';
import { createGenerationSlice } from './generation-slice.ts';
import type { InpaintSlice } from './inpaint-slice.ts';
import { createInpaintSlice } from './inpaint-slice.ts';
import type { ModelsSlice } from './models-slice.ts';
import { createModelsSlice } from './models-slice.ts';
import type { OutpaintSlice } from './outpaint-slice.ts';
import { createOutpaintSlice } from './outpaint-slice.ts';
import type { QueueSlice } from './queue-slice.ts';
import { createQueueSlice } from './queue-slice.ts';
import type { SettingsSlice } from './settings-slice.ts';
import { createSettingsSlice } from './settings-slice.ts';
import type { ToolsSlice } from './tools-slice.ts';
import { createToolsSlice } from './tools-slice.ts';
import type { UiSlice } from './ui-slice.ts';
import { createUiSlice } from './ui-slice.ts';
import type { ViewportSlice } from './viewport-slice.ts';
import { createViewportSlice } from './viewport-slice.ts';

export type Studio = DocumentSlice & ToolsSlice & ViewportSlice & ModelsSlice & GenerationSlice & GallerySlice & SettingsSlice & InpaintSlice & OutpaintSlice & BatchSlice & QueueSlice & UiSlice;

export function createStudioStore() {
  return createStore<Studio>()((...a) => ({
    ...createDocumentSlice(...a),
    ...createToolsSlice(...a),
    ...createViewportSlice(...a),
    ...createModelsSlice(...a),
    ...createGenerationSlice(...a),
    ...createGallerySlice(...a),
    ...createSettingsSlice(...a),
    ...createInpaintSlice(...a),
    ...createOutpaintSlice(...a),
    ...createBatchSlice(...a),
    ...createQueueSlice(...a),
    ...createUiSlice(...a),
  }));
}

export type StudioStore = ReturnType<typeof createStudioStore>;

/** The app's store instance (tests create their own with createStudioStore). */
export const studio: StudioStore = createStudioStore();

export function useStudio<T>(selector: (s: Studio) => T): T {
  return useStore(studio, selector);
}
