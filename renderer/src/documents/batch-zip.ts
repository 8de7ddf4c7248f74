/**
 * The static build keeps a batch's output folder in the engine Worker's memory (there is no disk
 * to write to): "Download zip" fetches it as one zip (made in the Worker with fflate) and saves it
 * as a download. Elsewhere the folder is on disk and this is not offered.
 */
import { describeError } from '../actions/errors.ts';
import { inPageBatchArchive } from '../bridge/connect.ts';
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
