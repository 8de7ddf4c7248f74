/** File helpers for the CLI: atomic writes, and reads that fail with TesseraErrors. */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TesseraError } from '../../../shared/errors.ts';

/**
 * Writes to a temporary file beside `file`, then renames: readers never see half a file. `mode`
 * applies from the first byte (a secret is never readable by others, not even briefly).
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string, mode?: number): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, data, mode === undefined ? {} : { mode });
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new TesseraError('IO_ERROR', `Could not write ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Reads an input file; a missing or unreadable one is bad input (exit code 2). */
export async function readInputFile(file: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : error instanceof Error ? error.message : String(error);
    throw new TesseraError('BAD_INPUT', `Cannot read the ${what} ${file}: ${why}.`);
  }
}
