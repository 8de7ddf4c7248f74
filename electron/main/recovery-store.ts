/**
 * The autosave slot behind `window.tessera.recovery` (shared/preload-api.ts): one value, written
 * with v8.serialize (it keeps typed arrays, which the document's label maps are) and atomically,
 * so a crash during autosave never destroys the previous good copy. The renderer validates what
 * `read` returns; main only bounds the size.
 */
import { promises as fs } from 'node:fs';
import v8 from 'node:v8';
import { TesseraError } from '../../shared/errors.ts';
import { MAX_FILE_BYTES } from '../../shared/desktop-ipc.ts';
import { writeFileAtomic } from './atomic-file.ts';

export function createRecoveryStore(file: string) {
  return {
    async read(): Promise<unknown> {
      let bytes: Buffer;
      try {
        bytes = await fs.readFile(file);
      } catch {
        return null;
      }
      try {
        return v8.deserialize(bytes) as unknown;
      } catch {
        // A slot from an incompatible build is as good as none.
        return null;
      }
    },
    async write(value: unknown): Promise<null> {
      let bytes: Buffer;
      try {
        bytes = v8.serialize(value);
      } catch (error) {
        throw new TesseraError('BAD_INPUT', `The recovery copy cannot be stored: ${(error as Error).message}`);
      }
      if (bytes.byteLength > MAX_FILE_BYTES) throw new TesseraError('BAD_INPUT', 'The recovery copy is larger than 512 MiB.');
      await writeFileAtomic(file, bytes);
      return null;
    },
    async clear(): Promise<null> {
      await fs.rm(file, { force: true });
      return null;
    },
  };
}
