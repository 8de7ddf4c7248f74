/**
 * The FALLBACK batch file system of the page's engine (engine/batch/batch-fs.ts, with the extras of
 * page-batch-fs.ts): folders and files in the Worker's memory. The default is idb-batch-fs.ts
 * (IndexedDB), which survives a reload and an engine restart; choose-batch-fs.ts falls back to
 * this one only when the browser gives the page no storage (a private window that refuses
 * IndexedDB, an embedded browser without it), and then tells the page so, which warns that batch
 * output will not survive a reload. Same semantics as on disk: writeFile needs the parent folder,
 * rename replaces atomically, Resume finds the finished images, and the page downloads a folder
 * as a zip (zip-folder.ts). It lives as long as the Worker: a reload or an engine restart starts
 * empty (the gallery keeps the images). Also what the Node tests of the engine host use.
 */
import { enoent, folderToRemove, isWithin, normalise, parentOf, summariseFolders, type PageBatchFs } from './page-batch-fs.ts';

export function createMemoryBatchFs(): PageBatchFs {
  const files = new Map<string, Uint8Array>();
  const dirs = new Set<string>(['']);
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
    async filesIn(dir) {
      const d = normalise(dir);
      return [...files.entries()]
        .filter(([p]) => parentOf(p) === d)
        .map(([p, bytes]) => ({ name: p.slice(d === '' ? 0 : d.length + 1), bytes }))
        .filter((f) => !f.name.startsWith('.'))
        .sort((a, b) => a.name.localeCompare(b.name));
    },
    totalBytes: async () => [...files.values()].reduce((sum, b) => sum + b.length, 0),
    folders: async () => summariseFolders([...files.entries()].map(([path, bytes]) => ({ path, size: bytes.length }))),
    async removeFolder(dir) {
      const d = folderToRemove(dir);
      for (const p of [...files.keys()]) if (isWithin(p, d)) files.delete(p);
      for (const p of [...dirs]) if (isWithin(p, d)) dirs.delete(p);
    },
  };
}
