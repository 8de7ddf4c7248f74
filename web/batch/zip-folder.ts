/**
 * A batch folder of the in-memory batch FS as one zip (fflate), for the page to download. PNGs
 * are stored, not deflated: they are compressed already, and deflating them again only costs time.
 */
import { zipSync, type Zippable } from 'fflate';
import { TesseraError } from '../../shared/errors.ts';
import type { MemoryBatchFs } from './memory-batch-fs.ts';

export function zipFolder(fs: MemoryBatchFs, folder: string): { name: string; bytes: Uint8Array<ArrayBuffer> } {
  const files = fs.filesIn(folder);
  if (files.length === 0) throw new TesseraError('BAD_REQUEST', `The batch folder "${folder}" holds no files in this page (an engine restart or a reload empties it): run the batch again.`);
  const entries: Zippable = {};
  const base = folder.split(/[\\/]+/).filter(Boolean).pop() ?? 'batch';
  for (const f of files) entries[`${base}/${f.name}`] = [f.bytes, { level: /\.png$/i.test(f.name) ? 0 : 6 }];
  return { name: `${base}.zip`, bytes: zipSync(entries) as Uint8Array<ArrayBuffer> };
}
