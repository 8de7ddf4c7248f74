/**
 * The page engine's batch file system in IndexedDB (engine/batch/batch-fs.ts, with the extras of
 * page-batch-fs.ts): the default of the static build, so a batch's output folder survives a page
 * reload and an engine Worker restart, and Resume (the same folder again) finds its finished
 * images and skips them, as on disk.
 *
 * Why IndexedDB and not the origin private file system (navigator.storage.getDirectory()):
 *  - it works in Workers in every browser (Chromium, Firefox, Safari), and has for years; OPFS in
 *    a Worker is recent, and FileSystemHandle.move() (the rename a batch needs) is not everywhere;
 *  - a transaction is atomic and durable: rename is ONE readwrite transaction (read the old
 *    record, write the new one, delete the old), so a Worker killed half-way, a crash or a full
 *    disk leaves the old state or the new, never half a file under its final name. OPFS gives no
 *    such promise for a move, and a file written through it is visible while it is written;
 *  - "the browser's storage is full" arrives as a QuotaExceededError on the transaction, which
 *    becomes an engine error with advice (below), and every transaction ends in complete or abort,
 *    so no call can hang;
 *  - the Node tests run it on fake-indexeddb, the same code path as in the browser.
 * Batch files are PNGs of tens to hundreds of kilobytes and a small JSON: whole values are fine.
 *
 * Layout (database `tessera-batch-folders`, version 1):
 *   dirs  key path `path`: one record per folder ({ path }); the top level '' always exists
 *   meta  key path `path`: one record per file ({ path, parent, size }), index `parent`, so list,
 *         the folder summary and the total size never load file bytes
 *   data  out-of-line key = the file's path: its bytes (a Uint8Array)
 * Writes use durability 'strict' (flushed before complete fires), like node/batch-fs.ts's fsync.
 *
 * Typed locally (the Node-typed tests import this file too, and they have no DOM lib).
 */
import { baseName, enoent, folderToRemove, isWithin, normalise, parentOf, summariseFolders, type PageBatchFs } from './page-batch-fs.ts';

export const BATCH_DB_NAME = 'tessera-batch-folders';
const DB_VERSION = 1;
const DIRS = 'dirs';
const META = 'meta';
const DATA = 'data';
const ALL = [DIRS, META, DATA];

/** What the user can do when the browser's storage is full (the engine puts it in its IO_ERROR). */
export const QUOTA_ADVICE =
  "this browser has no room left for the studio's batch folders (QuotaExceededError). The batch stopped cleanly and the images finished so far are kept. Download the zip of each batch folder you want to keep, delete old folders (Batch tab → Batch folders in this browser), then run the batch again with the same output folder to continue where it stopped.";

// --- The parts of IndexedDB used here ------------------------------------------------------------

interface IdbErrorLike {
  readonly name: string;
  readonly message: string;
}

export interface IdbRequestLike<T> {
  readonly result: T;
  readonly error: IdbErrorLike | null;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}

interface IdbIndexLike {
  getAllKeys(query?: string): IdbRequestLike<unknown[]>;
}

interface IdbStoreLike {
  get(key: string): IdbRequestLike<unknown>;
  getAll(): IdbRequestLike<unknown[]>;
  getAllKeys(): IdbRequestLike<unknown[]>;
  put(value: unknown, key?: string): IdbRequestLike<unknown>;
  delete(key: string): IdbRequestLike<undefined>;
  index(name: string): IdbIndexLike;
  createIndex(name: string, keyPath: string): unknown;
}

interface IdbTransactionLike {
  readonly error: IdbErrorLike | null;
  objectStore(name: string): IdbStoreLike;
  abort(): void;
  oncomplete: (() => void) | null;
  onabort: (() => void) | null;
  onerror: (() => void) | null;
}

interface IdbDatabaseLike {
  readonly objectStoreNames: { contains(name: string): boolean };
  transaction(stores: string[], mode: 'readonly' | 'readwrite', options?: { durability?: 'default' | 'strict' | 'relaxed' }): IdbTransactionLike;
  createObjectStore(name: string, options?: { keyPath?: string }): IdbStoreLike;
  close(): void;
  onversionchange: (() => void) | null;
  onclose?: (() => void) | null;
}

interface IdbOpenRequestLike extends IdbRequestLike<IdbDatabaseLike> {
  onupgradeneeded: (() => void) | null;
  onblocked: (() => void) | null;
}

/** `indexedDB` of a Worker or a window (or fake-indexeddb's in the Node tests). */
export interface IdbFactoryLike {
  open(name: string, version: number): IdbOpenRequestLike;
}

/** The global `indexedDB`, or null where there is none (or touching it throws, as in some sandboxes). */
export function globalIndexedDb(): IdbFactoryLike | null {
  try {
    return (globalThis as { indexedDB?: IdbFactoryLike }).indexedDB ?? null;
  } catch {
    return null;
  }
}

// --- Errors --------------------------------------------------------------------------------------

function nameOf(error: unknown): string | undefined {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : undefined;
}

/**
 * A storage failure as an Error whose `code` engine/batch/batch-fs.ts's ioError reports: a full
 * storage carries QUOTA_ADVICE (what to do), anything else says what the browser said.
 */
export function storageError(error: unknown): Error {
  if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string') return error;
  const name = nameOf(error) ?? 'UnknownError';
  if (name === 'QuotaExceededError') return Object.assign(new Error(QUOTA_ADVICE), { code: name });
  const message = typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string' ? (error as { message: string }).message : String(error ?? '');
  return Object.assign(new Error(`the browser's storage (IndexedDB) failed: ${name}${message ? `: ${message}` : ''}`), { code: name });
}

// --- Opening -------------------------------------------------------------------------------------

function openDatabase(factory: IdbFactoryLike, name: string): Promise<IdbDatabaseLike> {
  return new Promise((resolve, reject) => {
    let request: IdbOpenRequestLike;
    try {
      request = factory.open(name, DB_VERSION);
    } catch (error) {
      // Firefox's private windows (before 115) and sandboxed frames throw here.
      reject(storageError(error));
      return;
    }
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(DIRS)) db.createObjectStore(DIRS, { keyPath: 'path' });
      if (!db.objectStoreNames.contains(META)) db.createObjectStore(META, { keyPath: 'path' }).createIndex('parent', 'parent');
      if (!db.objectStoreNames.contains(DATA)) db.createObjectStore(DATA);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(storageError(request.error));
  });
}

export interface IdbBatchFsOptions {
  factory: IdbFactoryLike;
  /** Default BATCH_DB_NAME (tests use one database each). */
  name?: string;
}

/**
 * Opens (and on first use creates) the database; rejects when the browser refuses it, which
 * choose-batch-fs.ts turns into the in-memory fallback.
 */
export async function openIdbBatchFs(options: IdbBatchFsOptions): Promise<PageBatchFs & { close(): void }> {
  const name = options.name ?? BATCH_DB_NAME;
  let current: Promise<IdbDatabaseLike> | null = null;
  let closed = false;
  const connect = (): Promise<IdbDatabaseLike> => {
    if (closed) return Promise.reject(storageError({ name: 'InvalidStateError', message: 'the batch file system was closed' }));
    current ??= openDatabase(options.factory, name).then(
      (db) => {
        // Another tab with a newer build wants to upgrade, or the user cleared the site's data:
        // let go, and open again on the next call.
        const forget = (): void => {
          db.close();
          current = null;
        };
        db.onversionchange = forget;
        db.onclose = forget;
        return db;
      },
      (error: unknown) => {
        current = null;
        throw error;
      },
    );
    return current;
  };
  await connect();

  /**
   * One transaction: `body` issues its requests (callbacks chain further ones) and calls `done`
   * with the result or `fail` with an error (which aborts, so nothing it wrote stays). The
   * promise settles when the transaction completes or aborts, never before: a write resolved is
   * a write stored. A connection the browser closed under us is opened again once.
   */
  const run = async <T>(stores: string[], mode: 'readonly' | 'readwrite', body: (tx: IdbTransactionLike, done: (value: T) => void, fail: (error: Error) => void) => void, retry = true): Promise<T> => {
    const db = await connect();
    let tx: IdbTransactionLike;
    try {
      tx = db.transaction(stores, mode, mode === 'readwrite' ? { durability: 'strict' } : undefined);
    } catch (error) {
      if (retry && nameOf(error) === 'InvalidStateError') {
        current = null;
        return run(stores, mode, body, false);
      }
      throw storageError(error);
    }
    return new Promise<T>((resolve, reject) => {
      let result: { value: T } | null = null;
      let failure: Error | null = null;
      const fail = (error: Error): void => {
        failure ??= error;
        try {
          tx.abort();
        } catch {
          // Already finishing: oncomplete/onabort still settles the promise.
        }
      };
      tx.oncomplete = () => {
        if (failure) reject(failure);
        else if (result) resolve(result.value);
        else reject(storageError({ name: 'UnknownError', message: 'a transaction ended without a result' }));
      };
      // A request's error bubbles here, and its default action aborts the transaction: onabort settles.
      tx.onerror = () => undefined;
      tx.onabort = () => {
        // A full storage is what the user must hear about, whatever else went wrong after it.
        if (nameOf(tx.error) === 'QuotaExceededError') reject(storageError(tx.error));
        else reject(failure ?? storageError(tx.error ?? { name: 'AbortError', message: 'the transaction was aborted' }));
      };
      try {
        body(tx, (value) => (result = { value }), fail);
      } catch (error) {
        // put() throws at once for a value it cannot clone, and some browsers throw a quota error here.
        fail(storageError(error));
      }
    });
  };

  /** Calls `next` with a request's result (errors abort the transaction through onabort). */
  const then = <R>(request: IdbRequestLike<R>, next: (result: R) => void): void => {
    request.onsuccess = () => next(request.result);
  };

  const requireDir = (tx: IdbTransactionLike, dir: string, fail: (error: Error) => void, next: () => void): void => {
    if (dir === '') return next();
    then(tx.objectStore(DIRS).get(dir), (record) => (record === undefined ? fail(enoent(dir)) : next()));
  };

  const asBytes = (value: unknown): Uint8Array | null => {
    if (value instanceof Uint8Array) return value;
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    return null;
  };

  return {
    readFile(path) {
      const p = normalise(path);
      return run<Uint8Array | null>([DATA], 'readonly', (tx, done) => then(tx.objectStore(DATA).get(p), (value) => done(asBytes(value))));
    },
    writeFile(path, data) {
      const p = normalise(path);
      // A tight copy: the caller may reuse its buffer, and cloning a view would store its whole buffer.
      const bytes = data.slice();
      return run<void>(ALL, 'readwrite', (tx, done, fail) =>
        requireDir(tx, parentOf(p), fail, () => {
          tx.objectStore(DATA).put(bytes, p);
          tx.objectStore(META).put({ path: p, parent: parentOf(p), size: bytes.length });
          done();
        }),
      );
    },
    rename(from, to) {
      const f = normalise(from);
      const t = normalise(to);
      return run<void>(ALL, 'readwrite', (tx, done, fail) =>
        then(tx.objectStore(META).get(f), (meta) => {
          if (meta === undefined) return fail(enoent(f));
          if (f === t) return done();
          requireDir(tx, parentOf(t), fail, () =>
            then(tx.objectStore(DATA).get(f), (bytes) => {
              if (bytes === undefined) return fail(enoent(f));
              const size = asBytes(bytes)?.length ?? 0;
              // All in this one transaction: the new name appears and the old goes at the same instant.
              tx.objectStore(DATA).put(bytes, t);
              tx.objectStore(META).put({ path: t, parent: parentOf(t), size });
              tx.objectStore(DATA).delete(f);
              tx.objectStore(META).delete(f);
              done();
            }),
          );
        }),
      );
    },
    remove(path) {
      const p = normalise(path);
      return run<void>([META, DATA], 'readwrite', (tx, done) => {
        tx.objectStore(DATA).delete(p);
        tx.objectStore(META).delete(p);
        done();
      });
    },
    list(dir) {
      const d = normalise(dir);
      return run<string[]>([DIRS, META], 'readonly', (tx, done) => {
        const names = (): void => then(tx.objectStore(META).index('parent').getAllKeys(d), (keys) => done(keys.map((k) => baseName(String(k)))));
        if (d === '') names();
        else then(tx.objectStore(DIRS).get(d), (record) => (record === undefined ? done([]) : names()));
      });
    },
    mkdir(dir) {
      const chain: string[] = [];
      for (let d = normalise(dir); d !== ''; d = parentOf(d)) chain.push(d);
      return run<void>([DIRS], 'readwrite', (tx, done) => {
        for (const d of chain) tx.objectStore(DIRS).put({ path: d });
        done();
      });
    },
    filesIn(dir) {
      const d = normalise(dir);
      return run<Array<{ name: string; bytes: Uint8Array }>>([META, DATA], 'readonly', (tx, done) =>
        then(tx.objectStore(META).index('parent').getAllKeys(d), (keys) => {
          const paths = keys.map(String).filter((p) => !baseName(p).startsWith('.'));
          const out: Array<{ name: string; bytes: Uint8Array }> = [];
          if (paths.length === 0) return done(out);
          let left = paths.length;
          for (const p of paths) {
            then(tx.objectStore(DATA).get(p), (value) => {
              const bytes = asBytes(value);
              if (bytes) out.push({ name: baseName(p), bytes });
              if (--left === 0) done(out.sort((a, b) => a.name.localeCompare(b.name)));
            });
          }
        }),
      );
    },
    totalBytes() {
      return run<number>([META], 'readonly', (tx, done) => then(tx.objectStore(META).getAll(), (rows) => done(metaRows(rows).reduce((sum, r) => sum + r.size, 0))));
    },
    folders() {
      return run([META], 'readonly', (tx, done) => then(tx.objectStore(META).getAll(), (rows) => done(summariseFolders(metaRows(rows)))));
    },
    async removeFolder(dir) {
      const d = folderToRemove(dir);
      await run<void>(ALL, 'readwrite', (tx, done) =>
        then(tx.objectStore(META).getAllKeys(), (files) =>
          then(tx.objectStore(DIRS).getAllKeys(), (dirs) => {
            for (const p of files.map(String).filter((p) => isWithin(p, d))) {
              tx.objectStore(META).delete(p);
              tx.objectStore(DATA).delete(p);
            }
            for (const p of dirs.map(String).filter((p) => isWithin(p, d))) tx.objectStore(DIRS).delete(p);
            done();
          }),
        ),
      );
    },
    close() {
      closed = true;
      void current?.then((db) => db.close(), () => undefined);
      current = null;
    },
  };
}

function metaRows(rows: unknown[]): Array<{ path: string; size: number }> {
  return rows.filter((r): r is { path: string; size: number } => typeof r === 'object' && r !== null && typeof (r as { path?: unknown }).path === 'string' && typeof (r as { size?: unknown }).size === 'number');
}
