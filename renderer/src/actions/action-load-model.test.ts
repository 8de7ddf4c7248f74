import { describe, expect, it } from 'vitest';
import { floodFill } from '../tools/flood-fill.ts';
import { createStudioStore } from '../state/store.ts';
import { applyClassMapping, loadModel } from './action-load-model.ts';
import { fakeEngine, modelInfo } from './fake-engine.ts';

const a = modelInfo('a', ['sky', 'water', 'lava']);

function storeWith(classId: number) {
  const store = createStudioStore();
  store.getState().setActiveModel(a);
  store.getState().resizeCanvas(16, 16, 0);
  store.getState().applyPatchEdit(floodFill(store.getState().layout, 0, 0, classId), 'fill');
  return store;
}

describe('switching models', () => {
  it('maps classes by name without asking when every used class has a namesake', async () => {
    const store = storeWith(1); // all water
    const b = modelInfo('b', ['Water', 'Sky']);
    await loadModel(fakeEngine({ 'model.load': () => b }).client, store, 'b', { mapClasses: true });
    expect(store.getState().activeModel?.id).toBe('b');
    expect(store.getState().layout.data.every((v) => v === 0)).toBe(true); // water is id 0 in b
    store.getState().undo();
    expect(store.getState().layout.data.every((v) => v === 1)).toBe(true); // the mapping is undoable
  });

  it('asks when a used class has no namesake, keeping the old model until answered', async () => {
    const store = storeWith(2); // all lava
    const b = modelInfo('b', ['water', 'sky', 'rock']);
    await loadModel(fakeEngine({ 'model.load': () => b }).client, store, 'b', { mapClasses: true });
    const dialog = store.getState().dialog;
    expect(dialog?.kind).toBe('classMapping');
    expect(store.getState().activeModel?.id).toBe('a');
    applyClassMapping(store, b, new Map([[0, 1], [1, 0]]), new Map([[2, 2]]));
    expect(store.getState().activeModel?.id).toBe('b');
    expect(store.getState().layout.data.every((v) => v === 2)).toBe(true); // lava → rock, as chosen
    expect(store.getState().dialog).toBeNull();
  });

  it('keeps the previous model when loading fails', async () => {
    const store = storeWith(0);
    await loadModel(fakeEngine({}).client, store, 'missing', { mapClasses: true });
    expect(store.getState().activeModel?.id).toBe('a');
    expect(store.getState().toasts).toHaveLength(1);
  });
});
