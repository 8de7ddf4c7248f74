/**
 * The batch file system of the page's engine (engine/batch/batch-fs.ts): folders and files in the
 * Worker's memory, so a batch with an output folder works as on disk — files written atomically
 * (rename), Resume finds the finished images, batch.json and contact.png are written — and the
 * page downloads the folder as a zip (zip-folder.ts). It lives as long as the Worker: a reload or
 * an engine restart starts empty (the gallery keeps the images).
 */
import type { BatchFs } from '../../engine/batch/batch-fs.ts';

function normalise(path: string): string {
  const parts: string[] = [];
  for (const part of path.split(/[\\/]+/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export interface MemoryBatchFs extends BatchFs {
  /** Files directly in `dir` with their bytes (dot files, i.e. temporaries, left out). */
  filesIn(dir: string): Array<{ name: string; bytes: Uint8Array }>;
  totalBytes(): number;
}

export function createMemoryBatchFs(): MemoryBatchFs {
  const files = new Map<string, Uint8Array>();
  const dirs = new Set<string>(['']);
  const enoent = (path: string): Error => Object.assign(new Error(`${path}: no such file`), { code: 'ENOENT' });
  const requireDir = (path: string): void => {
    if (!dirs.has(parentOf(path))) throw enoent(parentOf(path));
  };
  return {
    async readFile(path) {
      return files.get(normalise(path))?.slice() ?? null;
    },
    async writeFile(path, data) {
      const p = normalise(path);
      requireDir(p);
      // A copy: the caller may reuse its buffer.
      files.set(p, data.slice());
    },
    async rename(from, to) {
      const f = normalise(from);
      const t = normalise(to);
      const bytes = files.get(f);
      if (!bytes) throw enoent(f);
      requireDir(t);
      files.delete(f);
      files.set(t, bytes);
    },
    async remove(path) {
      files.delete(normalise(path));
    },
    async list(dir) {
      const d = normalise(dir);
      if (!dirs.has(d)) return [];
      return [...files.keys()].filter((p) => parentOf(p) === d).map((p) => p.slice(d === '' ? 0 : d.length + 1));
    },
    async mkdir(dir) {
      let d = normalise(dir);
      while (d !== '' && !dirs.has(d)) {
        dirs.add(d);
        d = parentOf(d);
      }
    },
    filesIn(dir) {
      const d = normalise(dir);
      return [...files.entries()]
        .filter(([p]) => parentOf(p) === d)
        .map(([p, bytes]) => ({ name: p.slice(d === '' ? 0 : d.length + 1), bytes }))
        .filter((f) => !f.name.startsWith('.'))
        .sort((a, b) => a.name.localeCompare(b.name));
    },
    totalBytes: () => [...files.values()].reduce((sum, b) => sum + b.length, 0),
  };
}
