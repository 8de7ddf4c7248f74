/**
 * A batch's output folder: what is already finished there (checked, not trusted), atomic image
 * and manifest writes, and the contact sheet once the whole batch (every shard) is complete.
 */
import { TesseraError } from '../../shared/errors.ts';
import type { LabelMap } from '../../shared/labelmap.ts';
import type { Manifest } from '../../shared/manifest.ts';
import { fromUtf8, utf8 } from './digest.ts';
import { ioError, joinPath, removeStaleTemps, writeAtomic, type BatchFs } from './batch-fs.ts';
import { BATCH_CONFLICT_ADVICE, checkSameBatch, manifestFileName, MANIFEST_FILE, parseBatchManifest, type BatchIdentity, type BatchManifest } from './batch-manifest.ts';
import { CONTACT_FILE, renderContactSheet, type ContactRow } from './contact-sheet.ts';
import { compareNames, shardLabel, type PlannedItem, type Shard } from './plan.ts';
import { checkItemPng, readItemModel, type ExpectedText } from './result-png.ts';

/** Least time between two manifest writes: rewriting it after every image is quadratic in big batches. */
const MANIFEST_INTERVAL_MS = 1000;

export interface FolderContext {
  fs: BatchFs;
  dir: string;
  shard: Shard | null;
  identity: BatchIdentity;
  force: boolean;
  note: (message: string) => void;
  /** The tEXt an item's PNG must carry. */
  expected: (item: PlannedItem) => ExpectedText;
}

export class BatchFolder {
  private readonly tag: string;
  private lastManifestWrite = -Infinity;

  constructor(private readonly c: FolderContext) {
    this.tag = shardLabel(c.shard);
  }

  path(file: string): string {
    return joinPath(this.c.dir, file);
  }

  /**
   * Makes the folder, removes this shard's stale temp files, refuses another batch's folder
   * (unless forced), and returns the indices of `mine` whose PNG is already finished.
   */
  async prepare(mine: readonly PlannedItem[]): Promise<Set<number>> {
    const { fs, dir } = this.c;
    await fs.mkdir(dir).catch((error: unknown) => {
      throw ioError(`Could not create the output folder ${dir}`, error);
    });
    const stale = await removeStaleTemps(fs, dir, this.tag, new Set(mine.map((i) => i.file)));
    if (stale.length > 0) this.c.note(`removed ${stale.length} unfinished file(s) left by an interrupted run`);
    for (const name of (await fs.list(dir)).filter((n) => MANIFEST_FILE.test(n)).sort(compareNames)) {
      const bytes = await fs.readFile(joinPath(dir, name));
      const manifest = bytes ? parseBatchManifest(fromUtf8(bytes)) : null;
      if (!manifest) {
        this.c.note(`${name} is not a readable batch manifest; ignoring it`);
        continue;
      }
      const mixed = checkSameBatch(manifest, this.c.identity, name, dir, this.c.force);
      if (mixed) this.c.note(mixed);
    }
    const done = new Set<number>();
    let redo = 0;
    for (const item of mine) {
      const bytes = await fs.readFile(this.path(item.file));
      if (!bytes) continue;
      const expected = this.c.expected(item);
      const check = checkItemPng(bytes, expected);
      if (check.ok) {
        done.add(item.index);
        continue;
      }
      const other = readItemModel(bytes, expected);
      if (other && other.hash !== this.c.identity.model.hash && !this.c.force) {
        throw new TesseraError('BAD_INPUT', `${this.path(item.file)} was made with model ${other.id} ${other.version} (hash ${other.hash.slice(0, 12)}), not ${this.c.identity.model.id} ${this.c.identity.model.version}. ${BATCH_CONFLICT_ADVICE}`, { file: item.file, batchConflict: true });
      }
      redo++;
      if (redo <= 5) this.c.note(`${item.file}: ${check.reason}; making it again`);
    }
    if (redo > 5) this.c.note(`… ${redo} images in all will be made again`);
    return done;
  }

  async writeImage(item: PlannedItem, png: Uint8Array): Promise<void> {
    await writeAtomic(this.c.fs, this.c.dir, item.file, png, this.tag);
  }

  /** Writes the manifest, at most once per second unless `now` (the end, or a failure). */
  async writeManifest(manifest: BatchManifest, now: boolean): Promise<void> {
    const t = Date.now();
    if (!now && t - this.lastManifestWrite < MANIFEST_INTERVAL_MS) return;
    this.lastManifestWrite = t;
    await writeAtomic(this.c.fs, this.c.dir, manifestFileName(this.c.shard), utf8(`${JSON.stringify(manifest, null, 2)}\n`), this.tag);
  }

  /**
   * Writes contact.png when every item of the whole batch is finished on disk; returns false
   * (and writes nothing) while another shard's images are still missing.
   */
  async writeContactSheet(plan: readonly PlannedItem[], layouts: ReadonlyMap<string, LabelMap>, seeds: readonly number[], manifest: Manifest): Promise<boolean> {
    const rows = new Map<string, ContactRow>();
    for (const item of plan) {
      const bytes = await this.c.fs.readFile(this.path(item.file));
      const check = bytes ? checkItemPng(bytes, this.c.expected(item)) : null;
      if (!check?.ok) return false;
      const layout = layouts.get(item.layout) as LabelMap;
      const row = rows.get(item.layout) ?? { layout, results: [] };
      row.results[seeds.indexOf(item.seed)] = { width: layout.width, height: layout.height, rgb: check.rgb };
      rows.set(item.layout, row);
    }
    await writeAtomic(this.c.fs, this.c.dir, CONTACT_FILE, renderContactSheet([...rows.values()], manifest.classes), this.tag);
    return true;
  }
}
