/**
 * The autosave recovery slot. In Electron the preload provides a file-backed slot
 * (`window.tessera.recovery`); in the browser it is IndexedDB (structured clone keeps typed arrays,
 * so no encoding work on the main thread), falling back to nothing if IndexedDB is unavailable.
 */
import type { TesseraRecoverySlotApi } from '../../../shared/preload-api.ts';

export type RecoverySlot = TesseraRecoverySlotApi;

const DB = 'tessera';
const STORE = 'recovery';
const KEY = 'slot';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB open failed'));
  });
}

function run<T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return openDb().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const request = fn(tx.objectStore(STORE));
        tx.oncomplete = () => {
          db.close();
          resolve(request.result);
        };
        tx.onerror = () => {
          db.close();
          reject(tx.error ?? new Error('IndexedDB transaction failed'));
        };
      }),
  );
}

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
