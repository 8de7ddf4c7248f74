import { describe, expect, it } from 'vitest';
import { createStudioStore } from '../state/store.ts';
import { restoreEntry } from './action-restore.ts';
import { resultFor } from './fake-engine.ts';

describe('restore from the gallery', () => {
  it('brings back the layout (undoably) and the settings, with the seed locked', () => {
    const store = createStudioStore();
    const layout = { width: 16, height: 8, data: new Uint8Array(128).fill(3) };
    const result = { ...resultFor('j', 16, 8, 77), settings: { seed: 77, temperature: 0.5, topK: 12, topP: 0.9, sampler: 'exact' as const, stride: 1, decodedPreviews: false } };
    restoreEntry(store, { id: 'e', createdAt: 0, kind: 'generate', modelId: 'm', modelName: 'M', layout, result });
    const s = store.getState();
    expect(s.layout.width).toBe(16);
    expect(s.layout.data.every((v) => v === 3)).toBe(true);
    expect(s.layout.data).not.toBe(layout.data);
    expect(s.settings).toMatchObject({ seed: 77, temperature: 0.5, topK: 12, topP: 0.9, sampler: 'exact', stride: 1 });
    expect(s.settings.decodedPreviews).toBe(true); // a display preference, not a parameter
    expect(s.seedLocked).toBe(true);
    s.undo();
    expect(store.getState().layout.width).toBe(256);
  });
});
