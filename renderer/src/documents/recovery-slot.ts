/**
 * The autosave recovery slot. In Electron the preload provides a file-backed slot
 * (`window.tessera.recovery`); in the browser it is IndexedDB (structured clone keeps typed arrays,
 * so no encoding work on the main thread), falling back to nothing if IndexedDB is unavailable.
 */
import type { TesseraRecoverySlotApi } from '../../../shared/preload-api.ts';
import { idbStore } from './idb-store.ts';

export type RecoverySlot = TesseraRecoverySlotApi;

const KEY = 'slot';
const run = idbStore({
  database: 'tessera',
  store: 'recovery',
  openError: 'This browser refused to open its storage (IndexedDB), so autosave cannot keep a recovery copy here.',
  writeError: 'The browser could not store the recovery copy (is its storage full?).',
});

export function indexedDbSlot(): RecoverySlot {
  return {
    read: () => run('readonly', (s) => s.get(KEY) as IDBRequest<unknown>).then((v) => v ?? null),
    write: (value) => run('readwrite', (s) => s.put(value, KEY)).then(() => undefined),
    clear: () => run('readwrite', (s) => s.delete(KEY)).then(() => undefined),
  };
}

export function recoverySlot(): RecoverySlot | null {
  if (typeof window !== 'undefined' && window.tessera?.recovery) return window.tessera.recovery;
  if (typeof indexedDB !== 'undefined') return indexedDbSlot();
  return null;
}
