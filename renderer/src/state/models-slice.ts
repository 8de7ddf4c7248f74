/** The models the engine offers and the active one (with its palette). */
import type { StateCreator } from 'zustand';
import type { ModelClass } from '../../../shared/manifest.ts';
import type { Studio } from './store.ts';
import type { ModelInfo } from './types.ts';

export type ModelStatus = 'connecting' | 'listing' | 'loading' | 'ready' | 'error';

export interface ModelsSlice {
  models: ModelInfo[];
  /** The loaded model (its info includes the backend actually running). */
  activeModel: ModelInfo | null;
  modelStatus: ModelStatus;
  modelError: string | null;
  setModels(models: ModelInfo[]): void;
  setModelStatus(status: ModelStatus, error?: string | null): void;
  setActiveModel(model: ModelInfo): void;
}

export const createModelsSlice: StateCreator<Studio, [], [], ModelsSlice> = (set) => ({
  models: [],
  activeModel: null,
  modelStatus: 'connecting',
  modelError: null,
  setModels: (models) => set({ models }),
  setModelStatus: (status, error = null) => set({ modelStatus: status, modelError: error }),
  setActiveModel: (model) => set({ activeModel: model, modelStatus: 'ready', modelError: null }),
});

const NO_CLASSES: ModelClass[] = [];
export const selectClasses = (s: Studio): ModelClass[] => s.activeModel?.classes ?? NO_CLASSES;
export const selectGridFactor = (s: Studio): number => s.activeModel?.gridFactor ?? 16;
