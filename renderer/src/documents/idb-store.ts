/**
 * One IndexedDB object store in its own database, a transaction per call: the recovery slot
 * (recovery-slot.ts) and the browser's saved projects (browser-projects.ts) each use one. A call's
 * request lands whole or not at all; the database is closed after every transaction, so a second
 * tab or a later schema never waits on a handle this page forgot.
 */
export interface IdbStoreOptions {
  database: string;
  store: string;
  /** The store's key path; absent: keys are given with each put. */
  keyPath?: string;
  /** What to tell the user when the browser will not open the database, or a transaction fails. */
  openError: string;
  writeError: string;
}

export type IdbRun = <T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>) => Promise<T>;

export function idbStore(options: IdbStoreOptions): IdbRun {
  const open = (): Promise<IDBDatabase> =>
    new Promise((resolve, reject) => {
      const request = indexedDB.open(options.database, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(options.store, options.keyPath === undefined ? undefined : { keyPath: options.keyPath });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error(options.openError));
    });
  return <T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> =>
    open().then(
      (db) =>
        new Promise<T>((resolve, reject) => {
          const tx = db.transaction(options.store, mode);
          const request = fn(tx.objectStore(options.store));
          tx.oncomplete = () => {
            db.close();
            resolve(request.result);
          };
          const fail = (): void => {
            db.close();
            reject(tx.error ?? new Error(options.writeError));
          };
          tx.onerror = fail;
          tx.onabort = fail;
        }),
    );
}
