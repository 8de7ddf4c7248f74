/**
 * The static build keeps a batch's output folder in the engine Worker's browser storage
 * (IndexedDB: it survives a reload and an engine restart; the Worker's memory when the browser
 * gives it none). "Download zip" fetches a folder as one zip (made in the Worker with fflate) and
 * saves it as a download; the Batch tab lists the stored folders and deletes old ones (the way out
 * of a full storage). Elsewhere the folder is on disk and none of this is offered.
 */
import type { BatchStorage, StoredBatchFolder } from '../../../shared/page-worker.ts';
import { describeError } from '../actions/errors.ts';
import { inPageBatchArchive, inPageBatchFolders } from '../bridge/connect.ts';
import type { StudioStore } from '../state/store.ts';
import { downloadBytes } from './download.ts';

export function canDownloadBatchZip(): boolean {
  return inPageBatchArchive() !== null;
}

export async function downloadBatchZip(store: StudioStore, folder: string): Promise<void> {
  const archive = inPageBatchArchive();
  if (!archive) return;
  try {
    const zip = await archive(folder);
    downloadBytes(zip.bytes, zip.name, 'application/zip');
  } catch (error) {
    const { title, detail } = describeError(error);
    store.getState().notify({ tone: 'error', title, detail });
  }
}

/** The stored batch folders, after deleting `remove` when given; null when it failed (the user was told). */
export async function storedBatchFolders(store: StudioStore, remove: string | null): Promise<StoredBatchFolder[] | null> {
  const folders = inPageBatchFolders();
  if (!folders) return null;
  try {
    const list = await folders.batchFolders(remove);
    if (remove !== null) store.getState().notify({ tone: 'success', title: `Deleted the batch folder “${remove}” from this browser` });
    return list;
  } catch (error) {
    const { title, detail } = describeError(error);
    store.getState().notify({ tone: 'error', title, detail });
    return null;
  }
}

export function batchStorage(): BatchStorage | null {
  return inPageBatchFolders()?.batchStorage() ?? null;
}

export function onBatchStorage(listener: (storage: BatchStorage) => void): () => void {
  return inPageBatchFolders()?.onBatchStorage(listener) ?? (() => undefined);
}

/**
 * Warns once when the engine keeps batch folders in its memory only (the browser gave it no
 * storage): a reload or an engine restart would lose them.
 */
export function warnWhenBatchesAreNotKept(store: StudioStore): () => void {
  let warned = false;
  return onBatchStorage((storage) => {
    if (storage.persistent || warned) return;
    warned = true;
    store.getState().notify({ tone: 'error', title: 'Batch folders will not survive a reload', detail: storage.detail });
  });
}
