/**
 * Model files for the page's engine: fetched from the static build's own folder, kept in Cache
 * Storage under their sha256 (from the bundle manifest), and verified with WebCrypto before every
 * first use in this Worker. A cached copy that no longer matches its hash (a damaged cache) is
 * dropped and fetched again; a download that does not match is refused with MODEL_INVALID, so a
 * truncated or swapped file never reaches onnxruntime. Keying by hash (not URL) means a new model
 * version with a changed file can never be served a stale copy, and unchanged files are reused.
 */
import { TesseraError } from '../../shared/errors.ts';
import type { BundleFile } from '../../shared/manifest.ts';

export const MODEL_CACHE_NAME = 'tessera-models-v1';

export interface ModelStore {
  /** The file's bytes, verified against its manifest entry. */
  verified(url: string, file: BundleFile): Promise<Uint8Array>;
  /** Bytes already verified in this Worker, by URL (onnxruntime asks for them by URL). */
  bytesOf(url: string): Promise<Uint8Array>;
}

export function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/** The Cache Storage key of a file: a same-origin URL that names the hash, never fetched. */
export function cacheKey(baseUrl: string, sha256: string): string {
  return new URL(`__tessera-cache/sha256/${sha256}`, baseUrl).href;
}

/** The parts of Cache Storage used here (typed locally: the Node-typed tests import this file too). */
interface CacheLike {
  match(key: string): Promise<Response | undefined>;
  put(key: string, response: Response): Promise<void>;
  delete(key: string): Promise<boolean>;
}

async function openCache(): Promise<CacheLike | null> {
  const storage = (globalThis as { caches?: { open(name: string): Promise<CacheLike> } }).caches;
  try {
    return storage ? await storage.open(MODEL_CACHE_NAME) : null;
  } catch {
    // Private windows and some embedded browsers refuse Cache Storage: work without it.
    return null;
  }
}

async function download(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (error) {
    throw new TesseraError('MODEL_NOT_FOUND', `Could not download ${url} (${error instanceof Error ? error.message : String(error)}). Check that the static build's models/ folder is served next to index.html.`, { path: url });
  }
  if (!response.ok) throw new TesseraError('MODEL_NOT_FOUND', `Downloading ${url} failed with HTTP ${response.status}. Check that the static build's models/ folder is served next to index.html.`, { path: url });
  return new Uint8Array(await response.arrayBuffer());
}

export function createModelStore(baseUrl: string): ModelStore {
  const verifiedByUrl = new Map<string, Promise<Uint8Array>>();

  const load = async (url: string, file: BundleFile): Promise<Uint8Array> => {
    const cache = await openCache();
    const key = cacheKey(baseUrl, file.sha256);
    const cached = cache ? await cache.match(key) : undefined;
    if (cached) {
      const bytes = new Uint8Array(await cached.arrayBuffer());
      if (bytes.length === file.bytes && (await sha256Hex(bytes)) === file.sha256) return bytes;
      await cache?.delete(key);
    }
    const bytes = await download(url);
    if (bytes.length !== file.bytes) {
      throw new TesseraError('MODEL_INVALID', `${url} is ${bytes.length} bytes, but the manifest says ${file.bytes}: the served file is damaged or from another model version. Rebuild the static folder (npm run build:web).`, { path: url });
    }
    const actual = await sha256Hex(bytes);
    if (actual !== file.sha256) {
      throw new TesseraError('MODEL_INVALID', `${url} does not match its sha256 in the manifest (got ${actual.slice(0, 12)}…, expected ${file.sha256.slice(0, 12)}…): the served file is damaged or from another model version. Rebuild the static folder (npm run build:web).`, { path: url });
    }
    // A full cache (quota) only costs the next visit a download.
    await cache?.put(key, new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/octet-stream' } })).catch(() => undefined);
    return bytes;
  };

  return {
    verified(url, file) {
      let pending = verifiedByUrl.get(url);
      if (!pending) {
        pending = load(url, file);
        verifiedByUrl.set(url, pending);
        // A failure is not remembered: fixing the files and retrying works.
        pending.catch(() => verifiedByUrl.delete(url));
      }
      return pending;
    },
    async bytesOf(url) {
      const pending = verifiedByUrl.get(url);
      if (!pending) throw new TesseraError('INTERNAL', `${url} was opened before its hash was checked.`);
      return pending;
    },
  };
}
