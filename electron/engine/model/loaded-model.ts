/**
 * A bundle opened on a runtime: its sessions (created once, reused by every job) plus the two
 * pixel-side graph calls, cond encoding and token decoding. Opening checks everything that can be
 * checked before a job runs: file sizes and hashes, graph names and shapes, the class count.
 */
import { TesseraError } from '../../../shared/errors.ts';
import type { LabelMap } from '../../../shared/labelmap.ts';
import type { Manifest } from '../../../shared/manifest.ts';
import type { GridSize } from '../../../shared/grid.ts';
import type { ModelInfo } from '../../../shared/protocol.ts';
import { NEVER_CANCELLED, raceCancel, type CancelToken } from '../cancel.ts';
import { labelsToInt64 } from '../image.ts';
import type { Logger } from '../logger.ts';
import { expectFloat32, expectInt64, int64Tensor, type ModelSession, type Runtime } from '../runtime.ts';
import { modelInfo, type BundleCatalog, type BundleEntry, type BundleFileKey, type Check } from './bundle.ts';
import { checkGraphs } from './model-checks.ts';
import { firstConvInputChannels } from './onnx-inspect.ts';
import { TransformerRunner } from './transformer.ts';

export interface OpenOptions {
  /** Check sizes and sha256 before creating sessions (cached by size+mtime in the Node catalog). */
  verifyFiles: boolean;
  logger: Logger;
}

function failed(checks: Check[]): Check[] {
  return checks.filter((c) => !c.ok);
}

/** Raises the first failing file check with the right code. */
export function throwForFileChecks(entry: BundleEntry, checks: Check[]): void {
  const bad = failed(checks);
  if (bad.length === 0) return;
  const hash = bad.some((c) => c.name.endsWith('.sha256') || c.name.endsWith('.size'));
  throw new TesseraError(hash ? 'MODEL_HASH_MISMATCH' : 'MODEL_INVALID', `Model "${entry.id}" (${entry.path}) does not match its manifest:\n${bad.map((c) => `  ${c.name}: ${c.message}`).join('\n')}`, {
    checks: bad,
  });
}

export class LoadedModel {
  readonly manifest: Manifest;
  readonly transformer: TransformerRunner;
  private imageEncoderSession: Promise<ModelSession> | null = null;

  private constructor(
    readonly entry: BundleEntry,
    readonly runtime: Runtime,
    private readonly catalog: BundleCatalog,
    readonly condEncoder: ModelSession,
    readonly imageDecoder: ModelSession,
    readonly transformerSession: ModelSession,
  ) {
    this.manifest = entry.manifest;
    this.transformer = new TransformerRunner(transformerSession, entry.manifest);
  }

  static async open(entry: BundleEntry, catalog: BundleCatalog, runtime: Runtime, options: OpenOptions): Promise<LoadedModel> {
    if (options.verifyFiles) throwForFileChecks(entry, await catalog.checkFiles(entry));
    const created: ModelSession[] = [];
    const open = async (key: BundleFileKey, label: string): Promise<ModelSession> => {
      const s = await runtime.createSession(label, catalog.source(entry, entry.manifest.files[key] as NonNullable<Manifest['files'][BundleFileKey]>));
      created.push(s);
      return s;
    };
    try {
      const condEncoder = await open('condEncoder', 'cond encoder');
      const imageDecoder = await open('imageDecoder', 'image decoder');
      const transformer = await open('transformer', 'transformer');
      const checks = checkGraphs(entry.manifest, { condEncoder, imageDecoder, transformer });
      const classCheck = await checkClassCount(entry, catalog);
      const bad = failed([...checks, classCheck]);
      if (bad.length > 0) {
        throw new TesseraError('MODEL_INVALID', `Model "${entry.id}" does not match its manifest:\n${bad.map((c) => `  ${c.name}: ${c.message}`).join('\n')}`, { checks: bad });
      }
      return new LoadedModel(entry, runtime, catalog, condEncoder, imageDecoder, transformer);
    } catch (error) {
      await Promise.allSettled(created.map((s) => s.release()));
      throw error;
    }
  }

  info(): ModelInfo {
    return modelInfo(this.entry, { backend: this.runtime.backend, note: this.runtime.note });
  }

  /** The image encoder is only needed for inpainting, so it is opened on first use. */
  imageEncoder(): Promise<ModelSession> {
    this.imageEncoderSession ??= this.runtime.createSession('image encoder', this.catalog.source(this.entry, this.manifest.files.imageEncoder));
    this.imageEncoderSession.catch(() => {
      this.imageEncoderSession = null;
    });
    return this.imageEncoderSession;
  }

  /** Encodes label maps (same size, a multiple of the grid factor) to cond tokens, one grid per map. */
  async encodeLayouts(maps: readonly LabelMap[], cancel: CancelToken = NEVER_CANCELLED): Promise<{ grid: GridSize; tokens: Int32Array[] }> {
    const first = maps[0] as LabelMap;
    const t = this.manifest.tensors.condEncoder;
    const out = await raceCancel(this.condEncoder.run({ [t.labels]: int64Tensor(labelsToInt64(maps), [maps.length, first.height, first.width]) }, [t.tokens]), cancel);
    const tokens = expectInt64(out[t.tokens], 'cond tokens');
    const dims = out[t.tokens]?.dims ?? [];
    const grid = { rows: dims[1] ?? 0, cols: dims[2] ?? 0 };
    const f = this.manifest.gridFactor;
    if (grid.rows !== first.height / f || grid.cols !== first.width / f) {
      throw new TesseraError('MODEL_INVALID', `The cond encoder turned a ${first.width}×${first.height} map into ${grid.cols}×${grid.rows} tokens; with grid factor ${f} the manifest expects ${first.width / f}×${first.height / f}.`);
    }
    const n = grid.rows * grid.cols;
    const result: Int32Array[] = [];
    for (let b = 0; b < maps.length; b++) {
      const grid32 = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = Number(tokens[b * n + i]);
        if (!(v >= 0 && v < this.manifest.vocab.cond)) throw new TesseraError('MODEL_INVALID', `The cond encoder produced token ${v}, outside the cond codebook (0..${this.manifest.vocab.cond - 1}).`);
        grid32[i] = v;
      }
      result.push(grid32);
    }
    return { grid, tokens: result };
  }

  /** Decodes token grids (B of them, row-major, each rows×cols) → float [B, 3, rows·f, cols·f]. */
  async decodeTokens(tokens: readonly ArrayLike<number>[], grid: GridSize, cancel: CancelToken = NEVER_CANCELLED): Promise<Float32Array> {
    const n = grid.rows * grid.cols;
    const ids = new BigInt64Array(tokens.length * n);
    tokens.forEach((t, b) => {
      for (let i = 0; i < n; i++) ids[b * n + i] = BigInt(t[i] as number);
    });
    const names = this.manifest.tensors.imageDecoder;
    const out = await raceCancel(this.imageDecoder.run({ [names.tokens]: int64Tensor(ids, [tokens.length, grid.rows, grid.cols]) }, [names.image]), cancel);
    const image = expectFloat32(out[names.image], 'decoded image');
    const f = this.manifest.gridFactor;
    if (image.length !== tokens.length * 3 * n * f * f) {
      throw new TesseraError('MODEL_INVALID', `The image decoder returned ${image.length} values for ${tokens.length}×${grid.cols}×${grid.rows} tokens; grid factor ${f} predicts ${tokens.length * 3 * n * f * f}.`);
    }
    return image;
  }

  /** Whether the decoder accepts any token grid size (dynamic h, w), so partial tiles can be decoded. */
  decoderTakesAnySize(): boolean {
    const input = this.imageDecoder.inputs.find((v) => v.name === this.manifest.tensors.imageDecoder.tokens);
    return input?.shape === undefined || (typeof input.shape[1] !== 'number' && typeof input.shape[2] !== 'number');
  }

  async release(): Promise<void> {
    const sessions: Array<Promise<ModelSession> | ModelSession> = [this.condEncoder, this.imageDecoder, this.transformerSession];
    if (this.imageEncoderSession) sessions.push(this.imageEncoderSession);
    await Promise.allSettled(sessions.map(async (s) => (await s).release()));
  }
}

/**
 * "classes vs cond encoder input": the cond encoder one-hot-encodes labels inside the graph, so
 * onnxruntime's metadata cannot tell the class count; the input channels of its first Conv can.
 */
export async function checkClassCount(entry: BundleEntry, catalog: BundleCatalog): Promise<Check> {
  const name = 'classes';
  let bytes: Uint8Array;
  try {
    bytes = await catalog.readBytes(entry, entry.manifest.files.condEncoder);
  } catch (error) {
    return { name, ok: false, message: `could not read the cond encoder: ${error instanceof Error ? error.message : String(error)}` };
  }
  let channels: number | null;
  try {
    channels = firstConvInputChannels(bytes);
  } catch (error) {
    return { name, ok: false, message: `the cond encoder file is ${error instanceof Error ? error.message : String(error)}` };
  }
  const n = entry.manifest.classes.length;
  if (channels === null) return { name, ok: true, message: `${n} classes (the cond encoder's class count could not be read from the graph)` };
  if (channels !== n) {
    return { name, ok: false, message: `the manifest lists ${n} classes, but the cond encoder's first convolution takes ${channels} one-hot channels` };
  }
  return { name, ok: true, message: `${n} classes, as the cond encoder expects` };
}
