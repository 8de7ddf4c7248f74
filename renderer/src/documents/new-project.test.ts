/** New with unsaved work: it asks first, and the recovery slot keeps the old work until the new document is edited or saved. */
import { afterEach, describe, expect, it } from 'vitest';
import { createStudioStore } from '../state/store.ts';
import { floodFill } from '../tools/flood-fill.ts';
import type { Autosave } from './autosave.ts';
import { startAutosave } from './autosave.ts';
import { newProject, requestNewProject } from './file-actions.ts';
import { offerRecovery } from './recovery.ts';
import type { RecoverySlot } from './recovery-slot.ts';

function memorySlot(): RecoverySlot & { value: { project?: { name?: string; layout?: { data: Uint8Array } } } | null } {
  const slot = {
    value: null as never,
    read: async () => slot.value,
    write: async (v: unknown) => {
      slot.value = structuredClone(v) as never;
    },
    clear: async () => {
      slot.value = null as never;
    },
  };
  return slot;
}

let running: Autosave[] = [];
afterEach(() => {
  running.forEach((a) => a.stop());
  running = [];
});

describe('New', () => {
  it('asks before discarding unsaved work, and changes nothing until answered', async () => {
    const store = createStudioStore();
    const autosave = startAutosave(store, memorySlot());
    running.push(autosave);
    store.getState().applyPatchEdit(floodFill(store.getState().layout, 0, 0, 3), 'fill');
    requestNewProject(store, autosave);
    expect(store.getState().dialog?.kind).toBe('confirmNew');
    expect(store.getState().layout.data[0]).toBe(3);
  });

  it('starts at once when nothing is unsaved', () => {
    const store = createStudioStore();
    const autosave = startAutosave(store, memorySlot());
    running.push(autosave);
    requestNewProject(store, autosave);
    expect(store.getState().dialog).toBeNull();
  });

  it('keeps the recovery copy until the new document is edited', async () => {
    const store = createStudioStore();
    const slot = memorySlot();
    const autosave = startAutosave(store, slot);
    running.push(autosave);
    await offerRecovery(store, slot, autosave);
    store.getState().setProjectName('Fjord');
    store.getState().applyPatchEdit(floodFill(store.getState().layout, 0, 0, 3), 'fill');
    expect(await autosave.flush()).toBe(true);
    newProject(store, autosave);
    expect(store.getState().layout.data[0]).toBe(0);
    expect(slot.value?.project?.name).toBe('Fjord'); // a reload still offers it
    expect(await autosave.flush()).toBe(false); // the empty new document does not overwrite it
    expect(slot.value?.project?.name).toBe('Fjord');
    store.getState().applyPatchEdit(floodFill(store.getState().layout, 0, 0, 2), 'fill');
    expect(await autosave.flush()).toBe(true); // edited: now the new work is what matters
    expect(slot.value?.project?.name).toBe('Untitled');
  });
});
