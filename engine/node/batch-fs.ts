/**
 * The batch file system on Node (engine/batch/batch-fs.ts): writes are flushed to disk
 * (fsync) before the batch renames them into place, so a finished image survives a power cut,
 * not just a killed process.
 */
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import type { BatchFs } from '../batch/batch-fs.ts';

export const nodeBatchFs: BatchFs = {
  async readFile(path) {
    try {
      return new Uint8Array(await readFile(path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  },
  async writeFile(path, data) {
    const handle = await open(path, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => rename(from, to),
  remove: (path) => rm(path, { force: true }),
  async list(dir) {
    try {
      return await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  },
  async mkdir(dir) {
    await mkdir(dir, { recursive: true });
  },
};
