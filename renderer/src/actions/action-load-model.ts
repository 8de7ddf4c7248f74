/**
 * Loads a model and makes it active. When the layout was painted with another model's classes,
 * they are mapped by name; if some used classes have no namesake, the person is asked.
 */
import type { EngineClient } from '../bridge/engine-client.ts';
import type { StudioStore } from '../state/store.ts';
import type { ModelInfo } from '../state/types.ts';
import { mapClassesByName, remapLabelMap, usedClasses } from '../tools/class-mapping.ts';
import { describeError } from './errors.ts';

export async function loadModel(client: EngineClient, store: StudioStore, modelId: string, options: { mapClasses: boolean }): Promise<void> {
  const s = store.getState();
  const previous = s.activeModel;
  s.setModelStatus('loading');
  try {
    const info = await client.request('model.load', { model: modelId, backend: s.backend });
    if (options.mapClasses && previous && previous.id !== info.id) {
      const mapping = mapClassesByName(previous.classes, info.classes, usedClasses(store.getState().layout));
      if (mapping.unmatched.length > 0) {
        // Keep the old model active until the person decides how to map.
        store.getState().setActiveModel(previous);
        store.getState().setDialog({ kind: 'classMapping', targetModel: info, unmatched: mapping.unmatched });
        return;
      }
      applyClassMapping(store, info, mapping.matched, new Map());
      return;
    }
    activate(store, info);
  } catch (error) {
    const { title, detail } = describeError(error);
    store.getState().setModelStatus(previous ? 'ready' : 'error', previous ? null : detail);
    if (previous) store.getState().setActiveModel(previous);
    store.getState().notify({ tone: 'error', title, detail });
  }
}

function activate(store: StudioStore, info: ModelInfo): void {
  const s = store.getState();
  s.setActiveModel(info);
  const ids = new Set(info.classes.map((c) => c.id));
  if (!ids.has(s.classId)) s.setClass(info.classes[0]?.id ?? 0);
  if (!ids.has(s.backgroundClass)) s.setBackgroundClass(info.classes[0]?.id ?? 0);
  if (info.defaults && s.gallery.length === 0) {
    s.setSettings({ temperature: info.defaults.temperature, topK: info.defaults.topK, topP: info.defaults.topP, sampler: info.defaults.sampler, stride: Math.min(info.defaults.stride, info.window.cols), ...(info.defaults.lead === undefined ? {} : { lead: info.defaults.lead }) });
  } else if (s.settings.stride > info.window.cols) {
    s.setSettings({ stride: info.window.cols });
  }
}

/** Remaps the layout to the new model's class ids (matched by name, plus the person's choices). */
export function applyClassMapping(store: StudioStore, info: ModelInfo, matched: ReadonlyMap<number, number>, chosen: ReadonlyMap<number, number>): void {
  const table = new Map([...matched, ...chosen]);
  const fallback = info.classes[0]?.id ?? 0;
  const s = store.getState();
  const identity = [...table].every(([a, b]) => a === b) && [...usedClasses(s.layout)].every((id) => table.has(id));
  if (!identity) s.replaceLayout(remapLabelMap(s.layout, table, fallback), `map classes to ${info.name}`);
  activate(store, info);
  store.getState().setDialog(null);
  store.getState().notify({ tone: 'success', title: `Switched to ${info.name}`, detail: identity ? undefined : `Classes mapped by name (${table.size}).` });
}
