import { afterEach, describe, expect, it } from 'vitest';
import { createStudioStore } from '../state/store.ts';
import { floodFill } from '../tools/flood-fill.ts';
import type { Autosave } from './autosave.ts';
import { startAutosave } from './autosave.ts';
import { offerRecovery, resolveRecovery } from './recovery.ts';
import type { RecoverySlot } from './recovery-slot.ts';

function memorySlot(): RecoverySlot & { value: unknown; writes: number } {
  const slot = {
    value: null as unknown,
    writes: 0,
    read: async () => slot.value,
    write: async (v: unknown) => {
      slot.value = structuredClone(v);
      slot.writes++;
    },
    clear: async () => {
      slot.value = null;
    },
  };
  return slot;
}

let running: Autosave[] = [];
afterEach(() => {
  running.forEach((a) => a.stop());
  running = [];
});

describe('autosave and crash recovery', () => {
  it('writes only after recovery is settled, and only when something changed', async () => {
    const store = createStudioStore();
    const slot = memorySlot();
    const autosave = startAutosave(store, slot);
    running.push(autosave);
    store.getState().applyPatchEdit(floodFill(store.getState().layout, 0, 0, 2), 'fill');
    expect(await autosave.flush()).toBe(false); // not enabled yet: the slot may hold a crash copy
    await offerRecovery(store, slot, autosave); // empty slot → enables
    expect(await autosave.flush()).toBe(true);
    expect(await autosave.flush()).toBe(false);
    expect(slot.writes).toBe(1);
  });

  it('offers the copy on the next start and restores it exactly', async () => {
    const slot = memorySlot();
    const first = createStudioStore();
    const a1 = startAutosave(first, slot);
    running.push(a1);
    await offerRecovery(first, slot, a1);
    first.getState().applyPatchEdit(floodFill(first.getState().layout, 0, 0, 4), 'fill');
    first.getState().setProjectName('Fjord');
    await a1.flush();

    // "Crash": a new store starts with the slot as it was.
    const second = createStudioStore();
    const a2 = startAutosave(second, slot);
    running.push(a2);
    await offerRecovery(second, slot, a2);
    const dialog = second.getState().dialog;
    expect(dialog?.kind).toBe('recovery');
    expect(dialog && 'summary' in dialog ? dialog.summary : '').toMatch(/Fjord/);
    await resolveRecovery(second, a2, true);
    expect(second.getState().projectName).toBe('Fjord');
    expect(second.getState().layout.data.every((v) => v === 4)).toBe(true);
    expect(second.getState().dialog).toBeNull();
  });

  it('an edit made while a write is in flight is written after it, and a clear waits for it', async () => {
    const store = createStudioStore();
    const slot = memorySlot();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowWrite = slot.write;
    slot.write = async (v: unknown) => {
      await gate;
      await slowWrite(v);
    };
    const autosave = startAutosave(store, slot);
    running.push(autosave);
    await offerRecovery(store, slot, autosave);
    store.getState().setProjectName('first');
    const first = autosave.flush();
    store.getState().setProjectName('second'); // the page is closing: flush again at once
    const second = autosave.flush();
    release();
    expect(await first).toBe(true);
    expect(await second).toBe(true);
    expect(slot.writes).toBe(2);
    expect(JSON.stringify(slot.value)).toContain('second');

    store.getState().setProjectName('third');
    let unblock: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (unblock = resolve));
    slot.write = async (v: unknown) => {
      await held;
      await slowWrite(v);
    };
    const pending = autosave.flush();
    const cleared = autosave.clear(); // an explicit save while the write runs
    unblock();
    await pending;
    await cleared;
    expect(slot.value).toBeNull();
  });

  it('discarding the offer clears the slot', async () => {
    const slot = memorySlot();
    const store = createStudioStore();
    const a = startAutosave(store, slot);
    running.push(a);
    await offerRecovery(store, slot, a);
    store.getState().setProjectName('x');
    await a.flush();
    const next = createStudioStore();
    const b = startAutosave(next, slot);
    running.push(b);
    await offerRecovery(next, slot, b);
    await resolveRecovery(next, b, false);
    expect(slot.value).toBeNull();
  });
});
