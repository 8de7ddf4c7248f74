/**
 * sha256 of bundle files, cached in a small JSON file keyed by absolute path and invalidated by
 * size and mtime, so that a 300 MB transformer is hashed once, not on every start.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

interface Entry {
  size: number;
  mtimeMs: number;
  sha256: string;
}

export class HashCache {
  private entries: Record<string, Entry> | null = null;
  private dirty = false;

  constructor(private readonly file: string | null) {}

  async sha256(filePath: string): Promise<{ sha256: string; size: number; cached: boolean }> {
    const abs = path.resolve(filePath);
    const info = await stat(abs);
    const entries = await this.load();
    const hit = entries[abs];
    if (hit && hit.size === info.size && hit.mtimeMs === info.mtimeMs) return { sha256: hit.sha256, size: info.size, cached: true };
    const sha256 = await hashFile(abs);
    entries[abs] = { size: info.size, mtimeMs: info.mtimeMs, sha256 };
    this.dirty = true;
    await this.save();
    return { sha256, size: info.size, cached: false };
  }

  private async load(): Promise<Record<string, Entry>> {
    if (this.entries) return this.entries;
    this.entries = {};
    if (this.file) {
      try {
        const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'));
        if (parsed && typeof parsed === 'object' && 'files' in parsed && typeof parsed.files === 'object' && parsed.files !== null) {
          for (const [k, v] of Object.entries(parsed.files as Record<string, unknown>)) {
            const e = v as Partial<Entry>;
            if (typeof e.size === 'number' && typeof e.mtimeMs === 'number' && typeof e.sha256 === 'string') this.entries[k] = { size: e.size, mtimeMs: e.mtimeMs, sha256: e.sha256 };
          }
        }
      } catch {
        // missing or unreadable cache: start empty
      }
    }
    return this.entries;
  }

  private async save(): Promise<void> {
    if (!this.file || !this.dirty || !this.entries) return;
    this.dirty = false;
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify({ version: 1, files: this.entries }, null, 1));
      await rename(tmp, this.file);
    } catch {
      // A cache that cannot be written only costs time.
    }
  }
}

export function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => hash.update(d))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
