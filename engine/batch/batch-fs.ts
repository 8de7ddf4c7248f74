/**
 * The file operations a batch needs, as an interface: the core has no file system of its own
 * (it also runs in the browser), hosts pass node/batch-fs.ts, and tests pass writers that fail
 * on purpose (a disk that fills up half-way). On top of it: atomic writes and stale temp files.
 */
import { TesseraError } from '../../shared/errors.ts';

export interface BatchFs {
  /** The file's bytes, or null when it does not exist. */
  readFile(path: string): Promise<Uint8Array | null>;
  /** Writes (and flushes) a whole file. */
  writeFile(path: string, data: Uint8Array): Promise<void>;
  /** Replaces `to` atomically. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; no error when it is missing. */
  remove(path: string): Promise<void>;
  /** File names in a folder; [] when the folder does not exist. */
  list(dir: string): Promise<string[]>;
  mkdir(dir: string): Promise<void>;
}

/** Joins with '/', which every OS Node runs on accepts. */
export function joinPath(dir: string, name: string): string {
  return /[/\\]$/.test(dir) ? `${dir}${name}` : `${dir}/${name}`;
}

/**
 * The temporary name for `file` written by the run tagged `tag` (its shard label). A dot file,
 * so it never looks like a result, and per shard, so shards sharing a folder never touch each
 * other's temp files (two shards may write the same contact sheet at the same moment).
 */
export function tempName(file: string, tag: string): string {
  return `.${file}.${tag}.tmp`;
}

const TEMP = /^\.(.+)\.([A-Za-z0-9-]+)\.tmp$/;

export function errnoOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** IO_ERROR with advice that fits the cause (a full disk is the one a rerun can fix). */
export function ioError(action: string, error: unknown): TesseraError {
  const code = errnoOf(error);
  const why = error instanceof Error ? error.message : String(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new TesseraError('IO_ERROR', `${action}: the disk is full (${code}). The batch stopped cleanly; free some space and run the same command again to continue where it stopped.`, { errno: code });
  }
  return new TesseraError('IO_ERROR', `${action}: ${why}`, code ? { errno: code } : undefined);
}

/** Writes to a temp file beside the target, then renames: a killed run never leaves half a file. */
export async function writeAtomic(fs: BatchFs, dir: string, file: string, data: Uint8Array, tag: string): Promise<void> {
  const tmp = joinPath(dir, tempName(file, tag));
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, joinPath(dir, file));
  } catch (error) {
    await fs.remove(tmp).catch(() => undefined);
    throw ioError(`Could not write ${joinPath(dir, file)}`, error);
  }
}

/**
 * Removes the temp files a killed run left behind: this run's own (same tag), and any whose
 * target is one of `ownFiles` (only this shard ever writes those). Another shard's temp files
 * for its own targets are left alone, since that shard may be writing them right now.
 */
export async function removeStaleTemps(fs: BatchFs, dir: string, tag: string, ownFiles: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await fs.list(dir)) {
    const m = TEMP.exec(name);
    if (!m || (m[2] !== tag && !ownFiles.has(m[1] as string))) continue;
    await fs.remove(joinPath(dir, name));
    removed.push(name);
  }
  return removed;
}
