/**
 * A batch folder of the page's batch FS (IndexedDB, or memory as the fallback) as one zip
 * (fflate), for the page to download. PNGs are stored, not deflated: they are compressed already,
 * and deflating them again only costs time. Temporaries (dot files) are never in it.
 */
import { zipSync, type Zippable } from 'fflate';
import { TesseraError } from '../../shared/errors.ts';
import type { PageBatchFs } from './page-batch-fs.ts';

export async function zipFolder(fs: Pick<PageBatchFs, 'filesIn'>, folder: string): Promise<{ name: string; bytes: Uint8Array<ArrayBuffer> }> {
  const files = await fs.filesIn(folder);
  if (files.length === 0) {
    throw new TesseraError('BAD_REQUEST', `The batch folder "${folder}" holds no files in this browser (it was deleted, or never finished an image here; without browser storage a reload or an engine restart empties it): run the batch again.`);
  }
  const entries: Zippable = {};
  const base = folder.split(/[\\/]+/).filter(Boolean).pop() ?? 'batch';
  for (const f of files) entries[`${base}/${f.name}`] = [f.bytes, { level: /\.png$/i.test(f.name) ? 0 : 6 }];
  return { name: `${base}.zip`, bytes: zipSync(entries) as Uint8Array<ArrayBuffer> };
}
