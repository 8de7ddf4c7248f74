/** Crash recovery on start: if the slot holds a snapshot, offer it before autosave resumes. */
import type { StudioStore } from '../state/store.ts';
import type { Autosave } from './autosave.ts';
import type { Project } from './project-format.ts';
import { parseProject } from './project-format.ts';
import { loadProjectIntoStore, summariseProject } from './project-snapshot.ts';
import type { RecoverySlot } from './recovery-slot.ts';

let pending: Project | null = null;

export async function offerRecovery(store: StudioStore, slot: RecoverySlot | null, autosave: Autosave): Promise<void> {
  if (!slot) {
    autosave.enable();
    return;
  }
  try {
    const value = (await slot.read()) as { savedAt?: unknown; project?: unknown } | null;
    if (value && typeof value === 'object' && value.project) {
      pending = parseProject(value.project);
      store.getState().setDialog({ kind: 'recovery', savedAt: typeof value.savedAt === 'number' ? value.savedAt : 0, summary: summariseProject(pending) });
      return;
    }
  } catch (error) {
    console.warn('[tessera] the recovery copy could not be read', error);
  }
  autosave.enable();
}

export async function resolveRecovery(store: StudioStore, autosave: Autosave, accept: boolean): Promise<void> {
  const project = pending;
  pending = null;
  store.getState().setDialog(null);
  if (accept && project) {
    loadProjectIntoStore(store, project);
    // Still unsaved work (in no file): New asks before discarding it, the dirty marker shows.
    store.getState().markUnsaved();
    store.getState().notify({ tone: 'success', title: 'Recovered your unsaved work', detail: summariseProject(project) });
  } else {
    await autosave.clear();
  }
  autosave.enable();
}
