/**
 * Finds model bundles on disk. Search order (the first bundle with an id wins; later duplicates are
 * reported as problems):
 *   1. embedded bundles: `assets/models/<id>/` of the app (the default model is the first of these);
 *   2. user folders passed in by the host (the studio's models folder);
 *   3. `TESSERA_MODELS_DIR` (one or more folders, separated like PATH).
 * A reference that looks like a path (`./x`, `/x`, `C:\x`, or an existing folder) is opened
 * directly, origin `path`.
 */
import { existsSync } from 'node:fs';
import { open, readdir, readFile, realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TesseraError } from '../../shared/errors.ts';
import { parseManifest, type BundleFile, type Manifest } from '../../shared/manifest.ts';
import { totalBytes, type BundleCatalog, type BundleEntry, type BundleOrigin, type BundleProblem, type Check } from '../model/bundle.ts';
import type { ModelSource } from '../runtime.ts';
import { HashCache } from './hash-cache.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const EMBEDDED_MODELS_DIR = path.join(REPO_ROOT, 'assets', 'models');

export interface NodeCatalogOptions {
  embeddedDirs?: string[];
  userDirs?: string[];
  env?: NodeJS.ProcessEnv;
  /** JSON file caching sha256 by size+mtime; null disables the cache. */
  hashCacheFile?: string | null;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TESSERA_CACHE_DIR) return env.TESSERA_CACHE_DIR;
  if (process.platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'), 'tessera');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'tessera');
  return path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'tessera');
}

/** Whether a model reference is a folder path rather than a model id. */
export function looksLikePath(ref: string): boolean {
  return ref.startsWith('.') || path.isAbsolute(ref) || ref.includes('/') || ref.includes('\\');
}

/**
 * A real manifest is a few KB (the largest legal one, 255 classes and 65,536 preview colours, is
 * under 1 MB). Anything bigger is refused before it is read, so a JSON bomb costs nothing.
 */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * Reads manifest.json only if it is a regular file of a sane size: `readFile` on a symlink to
 * /dev/zero or /dev/urandom never reaches the end and grows until the process runs out of memory.
 * The size is taken from the opened file, and no more than that is read.
 */
async function readManifestText(dir: string, file: string): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    throw new TesseraError('MODEL_INVALID', `${dir} has no readable manifest.json, so it is not a Tessera model bundle.`, { path: dir });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new TesseraError('MODEL_INVALID', `${file} is not a regular file (a folder, a device or a pipe), so ${dir} is not a Tessera model bundle.`, { path: file });
    if (info.size > MAX_MANIFEST_BYTES) throw new TesseraError('MODEL_INVALID', `${file} is ${info.size} bytes, more than any bundle manifest (at most ${MAX_MANIFEST_BYTES}).`, { path: file });
    const bytes = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(bytes, 0, info.size, 0);
    return bytes.subarray(0, bytesRead).toString('utf8');
  } catch (error) {
    if (error instanceof TesseraError) throw error;
    throw new TesseraError('MODEL_INVALID', `${dir} has no readable manifest.json (${error instanceof Error ? error.message : String(error)}).`, { path: dir });
  } finally {
    await handle.close();
  }
}

export async function readBundle(dir: string, origin: BundleOrigin): Promise<BundleEntry> {
  const file = path.join(dir, 'manifest.json');
  const text = await readManifestText(dir, file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TesseraError('MODEL_INVALID', `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { path: file });
  }
  const parsed = parseManifest(json);
  if (!parsed.ok) throw new TesseraError('MODEL_INVALID', `${file} is not a valid bundle manifest:\n${parsed.message}`, { path: file });
  return { id: parsed.value.id, origin, path: dir, manifest: parsed.value, bytes: totalBytes(parsed.value) };
}

export class NodeBundleCatalog implements BundleCatalog {
  private readonly roots: Array<{ dir: string; origin: BundleOrigin }>;
  private readonly hashes: HashCache;

  constructor(options: NodeCatalogOptions = {}) {
    const env = options.env ?? process.env;
    const fromEnv = (env.TESSERA_MODELS_DIR ?? '').split(path.delimiter).filter((d) => d !== '');
    this.roots = [
      ...(options.embeddedDirs ?? [EMBEDDED_MODELS_DIR]).map((dir) => ({ dir, origin: 'embedded' as const })),
      ...(options.userDirs ?? []).map((dir) => ({ dir, origin: 'user' as const })),
      ...fromEnv.map((dir) => ({ dir, origin: 'user' as const })),
    ];
    this.hashes = new HashCache(options.hashCacheFile === undefined ? path.join(defaultCacheDir(env), 'hash-cache.json') : options.hashCacheFile);
  }

  get searchedFolders(): string[] {
    return this.roots.map((r) => r.dir);
  }

  async list(): Promise<{ bundles: BundleEntry[]; problems: BundleProblem[] }> {
    const bundles: BundleEntry[] = [];
    const problems: BundleProblem[] = [];
    const seen = new Map<string, string>();
    for (const root of this.roots) {
      let names: string[];
      try {
        names = (await readdir(root.dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
      } catch {
        continue; // a folder that does not exist (yet) is normal
      }
      for (const name of names) {
        const dir = path.join(root.dir, name);
        if (!existsSync(path.join(dir, 'manifest.json'))) continue;
        try {
          const entry = await readBundle(dir, root.origin);
          const earlier = seen.get(entry.id);
          if (earlier !== undefined) {
            problems.push({ path: dir, message: `duplicate model id "${entry.id}" (already found in ${earlier}); this copy is ignored` });
            continue;
          }
          seen.set(entry.id, dir);
          bundles.push(entry);
        } catch (error) {
          problems.push({ path: dir, message: error instanceof Error ? error.message : String(error) });
        }
      }
    }
    return { bundles, problems };
  }

  async resolve(ref: string): Promise<BundleEntry> {
    if (!looksLikePath(ref)) {
      const { bundles, problems } = await this.list();
      const hit = bundles.find((b) => b.id === ref);
      if (hit) return hit;
      if (!existsSync(ref)) {
        const broken = problems.find((p) => path.basename(p.path) === ref);
        if (broken) throw new TesseraError('MODEL_INVALID', `Model "${ref}" was found at ${broken.path} but cannot be used: ${broken.message}`);
        const known = bundles.map((b) => b.id).join(', ') || 'none';
        throw new TesseraError('MODEL_NOT_FOUND', `No model with id "${ref}". Installed models: ${known}. Searched: ${this.searchedFolders.join(', ')}.`, { searched: this.searchedFolders });
      }
    }
    const abs = path.resolve(ref);
    let dir = abs;
    try {
      const info = await stat(abs);
      if (info.isFile() && path.basename(abs) === 'manifest.json') dir = path.dirname(abs);
      else if (!info.isDirectory()) throw new TesseraError('MODEL_INVALID', `${abs} is a file; pass the bundle folder that holds manifest.json.`);
    } catch (error) {
      if (error instanceof TesseraError) throw error;
      throw new TesseraError('MODEL_NOT_FOUND', `No model bundle at ${abs} (the folder does not exist).`, { path: abs });
    }
    return readBundle(dir, 'path');
  }

  async defaultModel(): Promise<BundleEntry> {
    const { bundles } = await this.list();
    const embedded = bundles.find((b) => b.origin === 'embedded');
    if (embedded) return embedded;
    const dirs = this.roots.filter((r) => r.origin === 'embedded').map((r) => r.dir);
    throw new TesseraError(
      'MODEL_NOT_FOUND',
      `No embedded model bundle was found (looked in ${dirs.join(', ')}); the default model tessera-landscapes-v1 is not installed yet. Pass --model with a model id or a bundle folder, e.g. --model assets/fixtures/tessera-tiny.`,
      { searched: dirs },
    );
  }

  async checkFiles(entry: BundleEntry): Promise<Check[]> {
    const checks: Check[] = [];
    // Symlinks are followed; where they lead must still be inside the bundle folder.
    const root = await realpath(entry.path).catch(() => path.resolve(entry.path));
    for (const [key, file] of Object.entries(entry.manifest.files) as Array<[keyof Manifest['files'], BundleFile | undefined]>) {
      if (!file) continue;
      const full = path.join(entry.path, file.path);
      let size: number;
      let real: string;
      try {
        const info = await stat(full);
        if (!info.isFile()) {
          checks.push({ name: `files.${key}.present`, ok: false, message: `${file.path} in ${entry.path} is not a regular file (a folder, a device or a pipe)` });
          continue;
        }
        size = info.size;
        real = await realpath(full);
      } catch {
        checks.push({ name: `files.${key}.present`, ok: false, message: `${file.path} is missing from ${entry.path}` });
        continue;
      }
      const inside = path.relative(root, real);
      if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
        checks.push({ name: `files.${key}.inside`, ok: false, message: `${file.path} leads to ${real}, outside the bundle folder ${root} (a symlink?): a bundle may only use its own files` });
        continue;
      }
      if (size !== file.bytes) {
        const why = size < file.bytes ? 'the file is truncated (an interrupted download or copy?)' : 'the file is larger than the manifest says (a different export?)';
        checks.push({ name: `files.${key}.size`, ok: false, message: `${file.path} is ${size} bytes, the manifest says ${file.bytes}: ${why}` });
        continue;
      }
      const { sha256, cached } = await this.hashes.sha256(full);
      checks.push(
        sha256 === file.sha256
          ? { name: `files.${key}.sha256`, ok: true, message: `${file.path}: ${file.bytes} bytes, sha256 matches${cached ? ' (cached)' : ''}` }
          : { name: `files.${key}.sha256`, ok: false, message: `${file.path} has sha256 ${sha256}, the manifest says ${file.sha256}: the file was changed or damaged` },
      );
    }
    return checks;
  }

  source(entry: BundleEntry, file: BundleFile): ModelSource {
    return { kind: 'path', path: path.join(entry.path, file.path) };
  }

  async readBytes(entry: BundleEntry, file: BundleFile): Promise<Uint8Array> {
    const full = path.join(entry.path, file.path);
    // Even unverified (verifyFiles: false), never read a device: /dev/zero has no end.
    if (!(await stat(full)).isFile()) throw new TesseraError('MODEL_INVALID', `${file.path} in ${entry.path} is not a regular file`);
    return new Uint8Array(await readFile(full));
  }
}
