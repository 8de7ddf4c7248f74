/**
 * Autosave: every few seconds, if the document changed, write a snapshot to the recovery slot.
 * It waits while a stroke or a job runs (writing clones the gallery, which is work we don't want
 * competing with live previews) and while the tab is busy (requestIdleCallback).
 */
import type { StudioStore } from '../state/store.ts';
import { snapshotProject } from './project-snapshot.ts';
import type { RecoverySlot } from './recovery-slot.ts';

export const AUTOSAVE_INTERVAL_MS = 3000;

export interface Autosave {
  /** Writes now if anything changed (used before unload and by tests). */
  flush(): Promise<boolean>;
  /** Forget the slot (after an explicit save or a declined recovery). */
  clear(): Promise<void>;
  /**
   * Take the document as it is now as the starting point without touching the slot: after New,
   * the old work stays recoverable until the new document is edited (then autosave replaces it)
   * or saved (then the slot is cleared).
   */
  keepUntilEdited(): void;
  /** Resume after a recovery decision: autosave stays off until then, so it can't overwrite the slot. */
  enable(): void;
  stop(): void;
}

function fingerprint(store: StudioStore): string {
  const s = store.getState();
  const batch = s.batchPlan ? `${s.batchPlan.folder}:${s.batchItems.map((i) => i.state[0]).join('')}` : '';
  return [s.layoutRevision, s.layout.width, s.layout.height, s.gallery.length, s.gallery[0]?.id ?? '', s.savedLayouts.length, s.projectName, JSON.stringify(s.settings), s.seedLocked, batch].join('|');
}

export function startAutosave(store: StudioStore, slot: RecoverySlot | null): Autosave {
  let enabled = false;
  let last = fingerprint(store);
  // The write in flight, if any. A flush that arrives meanwhile (the next tick, or the page closing
  // right after an edit) waits for it and then writes what changed since: it used to return at
  // once, and an edit made during a slow write was lost when the page closed.
  let writing: Promise<boolean> | null = null;

  const write = async (): Promise<boolean> => {
    const current = fingerprint(store);
    if (!slot || current === last) return false;
    try {
      await slot.write({ savedAt: Date.now(), project: snapshotProject(store) });
      last = current;
      return true;
    } catch (error) {
      console.warn('[tessera] autosave failed', error);
      return false;
    }
  };

  const flush = async (): Promise<boolean> => {
    if (!slot || !enabled) return false;
    while (writing) await writing;
    writing = write().finally(() => {
      writing = null;
    });
    return writing;
  };

  const tick = (): void => {
    const s = store.getState();
    if (s.job?.state === 'running') return;
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => void flush(), { timeout: 2000 });
    else void flush();
  };
  const timer = setInterval(tick, AUTOSAVE_INTERVAL_MS);

  return {
    flush,
    async clear() {
      // A write still in flight would land after the clear and bring back a slot the user just
      // saved or declined: let it finish first.
      while (writing) await writing;
      last = fingerprint(store);
      await slot?.clear();
    },
    keepUntilEdited() {
      last = fingerprint(store);
    },
    enable() {
      enabled = true;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
