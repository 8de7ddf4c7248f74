/**
 * The page engine's batch file system: IndexedDB (idb-batch-fs.ts), so batch folders survive a
 * reload and an engine restart; when the browser will not open it (no IndexedDB, a private window
 * that refuses it, an open that never finishes), the Worker's memory (memory-batch-fs.ts), with a
 * warning the page shows: batch output will not survive a reload. The choice is made once, when
 * the Worker starts; the returned file system is usable at once (its calls wait for the choice).
 */
import type { BatchStorage } from '../../shared/page-worker.ts';
import { globalIndexedDb, openIdbBatchFs, type IdbFactoryLike } from './idb-batch-fs.ts';
import { createMemoryBatchFs } from './memory-batch-fs.ts';
import type { PageBatchFs } from './page-batch-fs.ts';


export const PERSISTENT_DETAIL = 'Batch folders are kept in this browser (IndexedDB): they survive a reload and an engine restart.';

export function memoryDetail(reason: string): string {
  return `Batch output will not survive a reload: ${reason}, so batch folders are kept in the engine's memory only (private windows often refuse storage). Download each batch folder as a zip before you reload or close this page.`;
}

export interface ChooseBatchFsOptions {
  /** undefined: the global indexedDB; null: none (the memory fallback). */
  factory?: IdbFactoryLike | null;
  /** The database's name (tests use one each). */
  name?: string;
  /** How long opening may take before the memory fallback is used (a blocked open). */
  openTimeoutMs?: number;
}

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function choosePageBatchFs(options: ChooseBatchFsOptions = {}): { fs: PageBatchFs; storage: Promise<BatchStorage> } {
  const chosen = (async (): Promise<{ fs: PageBatchFs; storage: BatchStorage }> => {
    const memory = (reason: string) => ({ fs: createMemoryBatchFs(), storage: { persistent: false, detail: memoryDetail(reason) } });
    const factory = options.factory === undefined ? globalIndexedDb() : options.factory;
    if (!factory) return memory('this browser gives the page no IndexedDB');
    const opening = openIdbBatchFs({ factory, ...(options.name ? { name: options.name } : {}) });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`opening it took over ${Math.round((options.openTimeoutMs ?? 15_000) / 1000)} s`)), options.openTimeoutMs ?? 15_000);
    });
    try {
      const fs = await Promise.race([opening, timeout]);
      return { fs, storage: { persistent: true, detail: PERSISTENT_DETAIL } };
    } catch (error) {
      // An open that finishes after the timeout is closed: the memory fallback is in use by then.
      void opening.then((late) => late.close(), () => undefined);
      return memory(`this browser's storage (IndexedDB) could not be opened (${errorMessage(error)})`);
    } finally {
      clearTimeout(timer);
    }
  })();
  const fs = async (): Promise<PageBatchFs> => (await chosen).fs;
  return {
    storage: chosen.then((c) => c.storage),
    fs: {
      readFile: async (path) => (await fs()).readFile(path),
      writeFile: async (path, data) => (await fs()).writeFile(path, data),
      rename: async (from, to) => (await fs()).rename(from, to),
      remove: async (path) => (await fs()).remove(path),
      list: async (dir) => (await fs()).list(dir),
      mkdir: async (dir) => (await fs()).mkdir(dir),
      filesIn: async (dir) => (await fs()).filesIn(dir),
      totalBytes: async () => (await fs()).totalBytes(),
      folders: async () => (await fs()).folders(),
      removeFolder: async (dir) => (await fs()).removeFolder(dir),
    },
  };
}
