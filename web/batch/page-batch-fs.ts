/**
 * What the page's engine needs from a batch file system beyond engine/batch/batch-fs.ts: the
 * files of a folder for the zip download (zip-folder.ts), the stored folders for the Batch tab's
 * list, and removing one. Two implementations: idb-batch-fs.ts (IndexedDB, the default: batch
 * output survives a reload and an engine restart) and memory-batch-fs.ts (the fallback when the
 * browser gives the page no storage). choose-batch-fs.ts picks one.
 *
 * Paths are '/'-separated and relative ("my-batch/lake-0003.png"); '' is the top level, which
 * always exists. Dot files are a batch's temporaries (engine/batch/batch-fs.ts tempName): never
 * zipped, never counted as a result.
 */
import { TesseraError } from '../../shared/errors.ts';
import type { BatchFs } from '../../engine/batch/batch-fs.ts';

export interface StoredFolder {
  /** The folder's path, as a batch's output folder names it. */
  name: string;
  /** Finished files in it (temporaries left out). */
  files: number;
  /** Bytes of everything in it, temporaries included (they take room too). */
  bytes: number;
}

export interface PageBatchFs extends BatchFs {
  /** Files directly in `dir` with their bytes, sorted by name (dot files, i.e. temporaries, left out). */
  filesIn(dir: string): Promise<Array<{ name: string; bytes: Uint8Array }>>;
  /** Bytes of every stored file. */
  totalBytes(): Promise<number>;
  /** Every folder that directly holds a file, sorted by name. */
  folders(): Promise<StoredFolder[]>;
  /** Removes `dir` with everything in it and under it; no error when it is missing. */
  removeFolder(dir: string): Promise<void>;
}

/** '/'-separated, no empty, '.' or '..' parts ('..' climbs, never above the top). */
export function normalise(path: string): string {
  const parts: string[] = [];
  for (const part of path.split(/[\\/]+/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** True when `path` is `dir` or inside it. */
export function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/** The Node-style error a missing file or folder gives (engine/batch/batch-fs.ts reads `code`). */
export function enoent(path: string): Error {
  return Object.assign(new Error(`${path || '.'}: no such file or folder`), { code: 'ENOENT' });
}

/** removeFolder('') would remove every batch folder: a caller has to name one. */
export function folderToRemove(dir: string): string {
  const d = normalise(dir);
  if (d === '') throw new TesseraError('BAD_REQUEST', `"${dir}" is not a batch folder: name the folder to delete.`);
  return d;
}

/** StoredFolder rows from every file's path and size. */
export function summariseFolders(files: Iterable<{ path: string; size: number }>): StoredFolder[] {
  const byDir = new Map<string, StoredFolder>();
  for (const { path, size } of files) {
    const dir = parentOf(path);
    if (dir === '') continue;
    const row = byDir.get(dir) ?? { name: dir, files: 0, bytes: 0 };
    if (!baseName(path).startsWith('.')) row.files++;
    row.bytes += size;
    byDir.set(dir, row);
  }
  return [...byDir.values()].sort((a, b) => a.name.localeCompare(b.name));
}
