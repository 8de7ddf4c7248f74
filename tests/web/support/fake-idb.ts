/**
 * IndexedDB for the Node tests of the page's batch FS: fake-indexeddb (a full implementation in
 * memory, the same API and transaction rules as a browser's), one fresh factory per test, and a
 * switch that makes the browser's storage "full". fake-indexeddb has no quota, so a full storage
 * is played the way a browser reports it: the transaction that would store the bytes aborts with
 * a QuotaExceededError (through fake-indexeddb's own abort path: the writes it made are rolled
 * back, its requests fail, `abort` fires with the error).
 */
import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import type { IdbFactoryLike } from '../../../web/batch/idb-batch-fs.ts';

export const newFactory = (): IdbFactoryLike => new IDBFactory() as unknown as IdbFactoryLike;

let fullFor: ((key: string) => boolean) | null = null;

/** From now on, storing bytes under a key for which `when` is true aborts with QuotaExceededError; null: room again. */
export function storageFull(when: ((key: string) => boolean) | null): void {
  fullFor = when;
}

type PutFn = (this: { name: string; transaction: { _abort(name: string): void } }, value: unknown, key?: unknown) => unknown;
const proto = (IDBObjectStore as unknown as { prototype: { put: PutFn; __quotaPatched?: boolean } }).prototype;
if (!proto.__quotaPatched) {
  const realPut = proto.put;
  proto.put = function (value, key) {
    const request = realPut.call(this, value, key);
    // Only the file bytes (the `data` store) take room worth counting.
    if (fullFor && this.name === 'data' && typeof key === 'string' && fullFor(key)) this.transaction._abort('QuotaExceededError');
    return request;
  };
  proto.__quotaPatched = true;
}
