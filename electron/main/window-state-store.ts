/**
 * Loads and saves the window state file (userData/window-state.json). Saves are debounced while
 * the user drags or resizes, and flushed on close; each save is an atomic write.
 */
import { readJsonOrUndefined, writeFileAtomic, writeFileAtomicSync } from './atomic-file.ts';
import { parseWindowState, type WindowState } from './window-state.ts';

export async function loadWindowState(file: string): Promise<WindowState> {
  return parseWindowState(await readJsonOrUndefined(file));
}

export interface WindowStateSaver {
  /** Remember this state; written after `delayMs` of quiet. */
  schedule(state: WindowState): void;
  /** Write the pending state now. */
  flush(): Promise<void>;
  /** Write this state synchronously, replacing anything pending (the window is closing). */
  saveNowSync(state: WindowState): void;
}

export function createWindowStateSaver(file: string, delayMs = 500, onError: (error: unknown) => void = () => {}): WindowStateSaver {
  let pending: WindowState | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let writing: Promise<void> = Promise.resolve();

  const write = (): Promise<void> => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const state = pending;
    pending = null;
    if (state === null) return writing;
    // Chain writes so two saves never race on the same temp/target pair.
    writing = writing.then(() => writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`)).catch(onError);
    return writing;
  };

  return {
    schedule(state) {
      pending = state;
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => void write(), delayMs);
    },
    flush: write,
    saveNowSync(state) {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      pending = null;
      try {
        writeFileAtomicSync(file, `${JSON.stringify(state, null, 2)}\n`);
      } catch (error) {
        onError(error);
      }
    },
  };
}
