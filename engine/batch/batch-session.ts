/**
 * One run of a batch over its folder, whoever makes the images: the plan (order, shard, file
 * names), the checks of layouts and settings against the model, the folder (what is finished
 * already, atomic writes), each item's state and the manifest (batch.json) built from them. The
 * local batch (run-batch.ts) makes images with its own engine; the distributed batch
 * (electron/queue/queue-batch.ts) gets them from workers. Both go through this class, so their
 * folders are the same file for file.
 */
import { TesseraError } from '../../shared/errors.ts';
import type { PixelSize } from '../../shared/grid.ts';
import type { LabelMap } from '../../shared/labelmap.ts';
import type { Manifest } from '../../shared/manifest.ts';
import type { ActiveBackend, BatchItem, GenerationSettings } from '../../shared/protocol.ts';
import { checkLayout, checkSettings } from '../generate.ts';
import type { BatchFs } from './batch-fs.ts';
import { BatchFolder } from './batch-folder.ts';
import { BATCH_FORMAT, modelIdentity, type BatchIdentity, type BatchManifest } from './batch-manifest.ts';
import { inShard, planBatch, type NamedLayout, type PlannedItem, type Shard } from './plan.ts';
import { expectedText, layoutChecksum, recordedSettings, type ExpectedText } from './result-png.ts';

/** The canvas limit of the early layout check; the engine's own limit is applied when sampling. */
const PROTOCOL_MAX_CANVAS: PixelSize = { width: 8192, height: 8192 };

/** What a batch needs to know of its model: the manifest, and the backend its images are made on. */
export interface BatchModel {
  manifest: Manifest;
  backend: ActiveBackend;
}

export interface BatchSessionOptions {
  layouts: readonly NamedLayout[];
  seeds: readonly number[];
  /** Shared settings; `seed` is ignored (each item has its own). */
  settings: GenerationSettings;
  /** Output folder; nothing is written when omitted. Needs `fs`. */
  outDir?: string | undefined;
  fs?: BatchFs | null | undefined;
  shard?: Shard | null | undefined;
  /** Mix with a folder made by another model/settings, replacing what does not match. */
  force?: boolean | undefined;
  maxCanvas?: PixelSize | undefined;
  onNote?: ((message: string) => void) | undefined;
}

export class BatchSession {
  /** Every item of the whole batch, in order. */
  readonly plan: PlannedItem[];
  /** This run's items (its shard). */
  readonly mine: PlannedItem[];
  /** Items of `mine` found finished in the folder (checked). */
  readonly finished: ReadonlySet<number>;
  /** Items of `mine` still to make, in order. */
  readonly pending: PlannedItem[];
  readonly identity: BatchIdentity;
  readonly seeds: number[];
  readonly layouts: ReadonlyMap<string, LabelMap>;
  private readonly states = new Map<number, BatchItem>();

  private constructor(
    private readonly model: BatchModel,
    private readonly options: BatchSessionOptions,
    private readonly folder: BatchFolder | null,
    private readonly textOf: (item: PlannedItem) => ExpectedText,
    parts: { identity: BatchIdentity; layouts: Map<string, LabelMap>; plan: PlannedItem[]; mine: PlannedItem[]; finished: Set<number> },
  ) {
    ({ plan: this.plan, mine: this.mine, finished: this.finished, identity: this.identity, layouts: this.layouts } = parts);
    this.pending = this.mine.filter((item) => !parts.finished.has(item.index));
    this.seeds = [...new Set(options.seeds)].sort((a, b) => a - b);
    for (const item of this.mine) {
      const file = folder ? folder.path(item.file) : undefined;
      this.states.set(item.index, { layout: item.layout, seed: item.seed, ...(file ? { file } : {}), state: parts.finished.has(item.index) ? 'skipped' : 'pending' });
    }
  }

  /**
   * Plans the batch, checks every layout and the settings against the model, prepares the folder
   * (stale temp files, another batch's folder, finished images) and writes the first manifest.
   */
  static async open(model: BatchModel, options: BatchSessionOptions): Promise<BatchSession> {
    if (options.outDir !== undefined && !options.fs) throw new TesseraError('INTERNAL', 'A batch output folder needs a file system (BatchFs).');
    const plan = planBatch(options.layouts, options.seeds);
    for (const l of options.layouts) {
      try {
        checkLayout(l.layout, model, options.maxCanvas ?? PROTOCOL_MAX_CANVAS);
      } catch (error) {
        if (error instanceof TesseraError) throw new TesseraError(error.code, `Layout "${l.name}": ${error.message}`, error.details);
        throw error;
      }
    }
    checkSettings(options.settings, model);
    const shard = options.shard ?? null;
    const mine = plan.filter((item) => inShard(item.index, shard));
    const identity: BatchIdentity = { model: modelIdentity(model.manifest), backend: model.backend, settings: recordedSettings(options.settings) };
    const layouts = new Map(options.layouts.map((l) => [l.name, l.layout]));
    const textOf = (item: PlannedItem): ExpectedText =>
      expectedText({ model: identity.model, backend: identity.backend, layoutName: item.layout, layout: layouts.get(item.layout) as LabelMap, settings: { ...options.settings, seed: item.seed } });
    const folder =
      options.outDir !== undefined && options.fs
        ? new BatchFolder({ fs: options.fs, dir: options.outDir, shard, identity, force: options.force === true, note: options.onNote ?? (() => undefined), expected: textOf })
        : null;
    const finished = folder ? await folder.prepare(mine) : new Set<number>();
    const session = new BatchSession(model, options, folder, textOf, { identity, layouts, plan, mine, finished });
    await session.save(true);
    return session;
  }

  get shard(): Shard | null {
    return this.options.shard ?? null;
  }

  get outDir(): string | undefined {
    return this.folder ? this.options.outDir : undefined;
  }

  settingsFor(seed: number): GenerationSettings {
    return { ...this.options.settings, seed };
  }

  layoutOf(item: PlannedItem): LabelMap {
    return this.layouts.get(item.layout) as LabelMap;
  }

  /** The tEXt the item's PNG carries (and must carry to count as finished). */
  expected(item: PlannedItem): ExpectedText {
    return this.textOf(item);
  }

  tokensOf(item: PlannedItem): number {
    const l = this.layoutOf(item);
    const f = this.model.manifest.gridFactor;
    return (l.width / f) * (l.height / f);
  }

  /** The item's state as events and the reply report it (absolute file path). */
  state(index: number): BatchItem {
    return this.states.get(index) as BatchItem;
  }

  items(): BatchItem[] {
    return this.mine.map((item) => this.state(item.index));
  }

  setRunning(items: readonly PlannedItem[]): void {
    for (const item of items) this.state(item.index).state = 'running';
  }

  /** Writes the item's PNG atomically and marks it done; returns its state. */
  async done(item: PlannedItem, png: Uint8Array): Promise<BatchItem> {
    await this.folder?.writeImage(item, png);
    const state = this.state(item.index);
    state.state = 'done';
    delete state.error;
    return state;
  }

  failed(item: PlannedItem, message: string): BatchItem {
    return Object.assign(this.state(item.index), { state: 'failed' as const, error: message });
  }

  manifest(): BatchManifest {
    const layouts = [...this.layouts.entries()].map(([name, l]) => ({ name, width: l.width, height: l.height, sha256: layoutChecksum(l) }));
    return {
      format: BATCH_FORMAT,
      version: 1,
      model: this.identity.model,
      backend: this.identity.backend,
      settings: recordedSettings(this.settingsFor(this.seeds[0] as number)),
      shard: this.shard,
      total: this.plan.length,
      layouts: layouts.sort((a, b) => (a.name < b.name ? -1 : 1)),
      seeds: this.seeds,
      // Relative names in the manifest (the folder may move); a finished-earlier item is simply done.
      items: this.mine.map((item) => {
        const s = this.state(item.index);
        return { index: item.index, layout: s.layout, seed: s.seed, file: item.file, state: s.state === 'skipped' ? 'done' : s.state, ...(s.error ? { error: s.error } : {}) };
      }),
    };
  }

  /** Writes batch.json (at most once a second unless `now`). */
  async save(now: boolean): Promise<void> {
    await this.folder?.writeManifest(this.manifest(), now);
  }

  /** Whatever stopped the run (cancel, a full disk, a kill), the manifest says how far it got. */
  async interrupted(): Promise<void> {
    for (const s of this.states.values()) if (s.state === 'running') s.state = 'pending';
    await this.save(true).catch(() => undefined);
  }

  /**
   * The end of the run: the final manifest, and contact.png when every item of the whole batch is
   * finished on disk (false while other shards are not, or without a folder or a sheet).
   */
  async complete(contactSheet: boolean): Promise<boolean> {
    await this.save(true);
    if (!this.folder || !contactSheet) return false;
    const written = await this.folder.writeContactSheet(this.plan, this.layouts, this.seeds, this.model.manifest);
    if (!written) this.options.onNote?.('contact.png is written by the run that finishes the last image of the batch (other shards are not finished yet)');
    return written;
  }
}
