/**
 * The page's model catalog (engine/model/bundle.ts's BundleCatalog over fetch): the static build
 * lists its bundles in `models/index.json` (written by scripts/build-web.mjs); each is a folder of
 * manifest.json + ONNX files under models/. Everything is fetched from the build's own origin.
 * The first bundle listed is the default model. File checks fetch, cache and verify each file
 * (model-store.ts); onnxruntime then reads the verified bytes by URL.
 */
import { z } from 'zod';
import { TesseraError } from '../../shared/errors.ts';
import { describeIssues, parseManifest, type BundleFile, type Manifest } from '../../shared/manifest.ts';
import { totalBytes, type BundleCatalog, type BundleEntry, type BundleProblem, type Check } from '../../engine/model/bundle.ts';
import type { ModelSource } from '../../engine/runtime.ts';
import type { ModelStore } from './model-store.ts';

/** models/index.json: bundle folder names, default model first. */
export const ModelIndexSchema = z.strictObject({
  bundles: z.array(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'a bundle folder name')).min(1).max(64),
});

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

async function fetchJson(url: string, what: string): Promise<unknown> {
  let response: Response;
  try {
    // Revalidated every time: a rebuilt folder must not be read through a stale model list.
    response = await fetch(url, { credentials: 'same-origin', cache: 'no-cache' } as RequestInit);
  } catch (error) {
    throw new TesseraError('MODEL_NOT_FOUND', `Could not read ${what} (${url}): ${error instanceof Error ? error.message : String(error)}.`, { path: url });
  }
  if (!response.ok) throw new TesseraError('MODEL_NOT_FOUND', `Could not read ${what} (${url}): HTTP ${response.status}. Is the whole static build (npm run build:web) served?`, { path: url });
  const text = await response.text();
  if (text.length > MAX_MANIFEST_BYTES) throw new TesseraError('MODEL_INVALID', `${what} (${url}) is larger than any real one; refusing it.`, { path: url });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new TesseraError('MODEL_INVALID', `${what} (${url}) is not JSON.`, { path: url });
  }
}

export class WebBundleCatalog implements BundleCatalog {
  private listing: Promise<{ bundles: BundleEntry[]; problems: BundleProblem[] }> | null = null;

  constructor(
    /** The static build's models/ folder URL (ends with '/'). */
    private readonly modelsUrl: string,
    private readonly store: ModelStore,
  ) {}

  list(): Promise<{ bundles: BundleEntry[]; problems: BundleProblem[] }> {
    this.listing ??= this.readListing();
    // A failed listing (offline, missing index) is retried on the next call.
    this.listing.catch(() => (this.listing = null));
    return this.listing;
  }

  private async readListing(): Promise<{ bundles: BundleEntry[]; problems: BundleProblem[] }> {
    const indexUrl = new URL('index.json', this.modelsUrl).href;
    const index = ModelIndexSchema.safeParse(await fetchJson(indexUrl, 'the model list'));
    if (!index.success) throw new TesseraError('MODEL_INVALID', `The model list ${indexUrl} is not valid: ${describeIssues(index.error)}. Rebuild the static folder (npm run build:web).`);
    const bundles: BundleEntry[] = [];
    const problems: BundleProblem[] = [];
    for (const [i, name] of index.data.bundles.entries()) {
      const folder = new URL(`${name}/`, this.modelsUrl).href;
      try {
        const parsed = parseManifest(await fetchJson(new URL('manifest.json', folder).href, `the manifest of ${name}`));
        if (!parsed.ok) throw new TesseraError('MODEL_INVALID', `${folder}manifest.json is not a valid bundle manifest: ${parsed.message}`);
        if (bundles.some((b) => b.id === parsed.value.id)) {
          problems.push({ path: folder, message: `duplicate model id "${parsed.value.id}"; this copy is ignored` });
          continue;
        }
        // The first listed is the build's default model (the page's "embedded" one).
        bundles.push({ id: parsed.value.id, origin: i === 0 ? 'embedded' : 'user', path: folder, manifest: parsed.value, bytes: totalBytes(parsed.value) });
      } catch (error) {
        problems.push({ path: folder, message: error instanceof Error ? error.message : String(error) });
      }
    }
    return { bundles, problems };
  }

  async resolve(ref: string): Promise<BundleEntry> {
    const { bundles, problems } = await this.list();
    const found = bundles.find((b) => b.id === ref || b.path === ref);
    if (found) return found;
    const broken = problems.find((p) => p.path.endsWith(`/${ref}/`));
    if (broken) throw new TesseraError('MODEL_INVALID', broken.message, { path: broken.path });
    throw new TesseraError('MODEL_NOT_FOUND', `No model "${ref}" in this static build (it has ${bundles.map((b) => b.id).join(', ') || 'none'}). Add bundles with npm run build:web.`);
  }

  async defaultModel(): Promise<BundleEntry> {
    const { bundles } = await this.list();
    const first = bundles[0];
    if (!first) throw new TesseraError('MODEL_NOT_FOUND', `The static build lists no usable model under ${this.modelsUrl}. Rebuild it with npm run build:web.`);
    return first;
  }

  fileUrl(entry: BundleEntry, file: BundleFile): string {
    return new URL(file.path, entry.path).href;
  }

  async checkFiles(entry: BundleEntry): Promise<Check[]> {
    const checks: Check[] = [];
    for (const [key, file] of Object.entries(entry.manifest.files) as Array<[keyof Manifest['files'], BundleFile | undefined]>) {
      // The int8 transformer variant is only read when asked for: do not download it for nothing.
      if (!file || key === 'transformerInt8') continue;
      try {
        await this.store.verified(this.fileUrl(entry, file), file);
        checks.push({ name: `files.${key}.sha256`, ok: true, message: `${file.path}: ${file.bytes} bytes, sha256 matches` });
      } catch (error) {
        checks.push({ name: `files.${key}.sha256`, ok: false, message: error instanceof Error ? error.message : String(error) });
      }
    }
    return checks;
  }

  source(entry: BundleEntry, file: BundleFile): ModelSource {
    return { kind: 'path', path: this.fileUrl(entry, file) };
  }

  readBytes(entry: BundleEntry, file: BundleFile): Promise<Uint8Array> {
    return this.store.verified(this.fileUrl(entry, file), file);
  }
}
