/**
 * A bundle opened on a runtime: its sessions (created once, reused by every job) plus the two
 * pixel-side graph calls, cond encoding and token decoding. Opening checks everything that can be
 * checked before a job runs: file sizes and hashes, graph names and shapes, the class count.
 */
import { TesseraError } from '../../shared/errors.ts';
import type { LabelMap } from '../../shared/labelmap.ts';
import type { Manifest } from '../../shared/manifest.ts';
import type { GridSize } from '../../shared/grid.ts';
import type { ModelInfo } from '../../shared/protocol.ts';
import { NEVER_CANCELLED, raceCancel, type CancelToken } from '../cancel.ts';
import { chwToRgba, labelsToInt64 } from '../image.ts';
import type { Logger } from '../logger.ts';
import { expectFloat32, expectInt64, int64Tensor, type ModelSession, type Runtime, type SessionHints } from '../runtime.ts';
import { CanvasSession } from './canvas-session.ts';
import { modelInfo, type BundleCatalog, type BundleEntry, type BundleFileKey, type Check } from './bundle.ts';
import { addTile, cropTokens, planDecodeTiles, wholeGridTile, type DecodeTile, type DecodeTiling } from './decode-tiles.ts';
import { checkGraphs } from './model-checks.ts';
import { firstConvInputChannels } from './onnx-inspect.ts';
import { TransformerRunner } from './transformer.ts';

export interface OpenOptions {
  /** Check sizes and sha256 before creating sessions (cached by size+mtime in the Node catalog). */
  verifyFiles: boolean;
  logger: Logger;
  /** How large grids are cut for decoding (DEFAULT_DECODE_TILING when absent). */
  decodeTiling?: DecodeTiling;
}

/**
 * Encoders run on whole canvases (canvas-session.ts): up to the default 256×256 canvas on the session
 * kept open; larger ones on a session of their own, with onnxruntime's arena up to 512×512 and
 * without it beyond, where the arena's doubling made a 1024² cond encode the process's peak.
 */
const ENCODER_PIXELS = { keep: 256 * 256, arena: 512 * 512 };

/**
 * 44×44-token tiles (352² px), at least 8 tokens of context at every cut, 4-token cross-fades. 44 is
 * the largest tile whose decode fits the default model's decoder arena in ~240 MB (46 already
 * takes ~400 MB); a tile is compared with a whole decode in docs/PERFORMANCE.md ("Tiled decoding").
 */
export const DEFAULT_DECODE_TILING: DecodeTiling = { size: 44, margin: 8, blend: 4 };

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
  private imageEncoderSession: Promise<CanvasSession> | null = null;

  private constructor(
    readonly entry: BundleEntry,
    readonly runtime: Runtime,
    private readonly catalog: BundleCatalog,
    readonly condEncoder: ModelSession,
    readonly imageDecoder: ModelSession,
    readonly transformerSession: ModelSession,
    readonly decodeTiling: DecodeTiling,
  ) {
    this.manifest = entry.manifest;
    this.transformer = new TransformerRunner(transformerSession, entry.manifest, { zeroSizedInputs: runtime.backend !== 'webgpu' });
  }

  static async open(entry: BundleEntry, catalog: BundleCatalog, runtime: Runtime, options: OpenOptions): Promise<LoadedModel> {
    if (options.verifyFiles) throwForFileChecks(entry, await catalog.checkFiles(entry));
    const created: ModelSession[] = [];
    const source = (key: BundleFileKey) => catalog.source(entry, entry.manifest.files[key] as NonNullable<Manifest['files'][BundleFileKey]>);
    const open = async (key: BundleFileKey, label: string, hints: SessionHints = {}): Promise<ModelSession> => {
      const s = await runtime.createSession(label, source(key), hints);
      created.push(s);
      return s;
    };
    try {
      const firstCondEncoder = await open('condEncoder', 'cond encoder', { imageSized: true });
      const condEncoder = new CanvasSession(firstCondEncoder, (hints) => runtime.createSession('cond encoder', source('condEncoder'), hints), { keepElements: ENCODER_PIXELS.keep, arenaElements: ENCODER_PIXELS.arena });
      created.push(condEncoder);
      const imageDecoder = await open('imageDecoder', 'image decoder', { imageSized: true });
      const transformer = await open('transformer', 'transformer');
      // The image encoder runs only when inpainting or outpainting, so it stays closed until then,
      // but it is opened and checked here once: a damaged or mismatched encoder is refused when the
      // model loads, not at the user's first inpaint (the fuzz corpus found a 1-byte encoder that
      // generate never noticed). Released again: a session the user may never need is not held
      // (peak RSS generating 256², 5 runs each, was within noise: 482–489 MB probed, 448–481 MB not).
      // The probe adds ~45 ms to loading the default model (medians of 4 interleaved loads at load
      // average 1.0–1.4, 2 threads: 680 against 635 ms).
      const imageEncoderProbe = await open('imageEncoder', 'image encoder');
      const checks = checkGraphs(entry.manifest, { condEncoder, imageDecoder, transformer, imageEncoder: imageEncoderProbe });
      created.splice(created.indexOf(imageEncoderProbe), 1);
      await imageEncoderProbe.release();
      const classCheck = await checkClassCount(entry, catalog);
      const bad = failed([...checks, classCheck]);
      if (bad.length > 0) {
        throw new TesseraError('MODEL_INVALID', `Model "${entry.id}" does not match its manifest:\n${bad.map((c) => `  ${c.name}: ${c.message}`).join('\n')}`, { checks: bad });
      }
      return new LoadedModel(entry, runtime, catalog, condEncoder, imageDecoder, transformer, options.decodeTiling ?? DEFAULT_DECODE_TILING);
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
    const open = (hints: SessionHints): Promise<ModelSession> => this.runtime.createSession('image encoder', this.catalog.source(this.entry, this.manifest.files.imageEncoder), hints);
    // Three values per pixel: the cond encoder's canvas limits.
    this.imageEncoderSession ??= open({ imageSized: true }).then((first) => new CanvasSession(first, open, { keepElements: 3 * ENCODER_PIXELS.keep, arenaElements: 3 * ENCODER_PIXELS.arena }));
    this.imageEncoderSession.catch(() => {
      this.imageEncoderSession = null;
    });
    return this.imageEncoderSession;
  }

  /**
   * Encodes label maps (same size, a multiple of the grid factor) to cond tokens, one grid per map.
   * Each distinct map is encoded once and on its own, so the encoder's memory is that of one canvas
   * whatever the batch (batch rows are computed independently: the tokens are the same).
   */
  async encodeLayouts(maps: readonly LabelMap[], cancel: CancelToken = NEVER_CANCELLED): Promise<{ grid: GridSize; tokens: Int32Array[] }> {
    const encoded = new Map<LabelMap, Int32Array>();
    let grid: GridSize = { rows: 0, cols: 0 };
    const tokens: Int32Array[] = [];
    for (const map of maps) {
      const known = encoded.get(map);
      // A sample that shares its map with an earlier one gets its own copy of the tokens.
      if (known) {
        tokens.push(Int32Array.from(known));
        continue;
      }
      const one = await this.encodeLayout(map, cancel);
      grid = one.grid;
      encoded.set(map, one.tokens);
      tokens.push(one.tokens);
    }
    return { grid, tokens };
  }

  private async encodeLayout(map: LabelMap, cancel: CancelToken): Promise<{ grid: GridSize; tokens: Int32Array }> {
    const t = this.manifest.tensors.condEncoder;
    const out = await raceCancel(this.condEncoder.run({ [t.labels]: int64Tensor(labelsToInt64([map]), [1, map.height, map.width]) }, [t.tokens]), cancel);
    const tokens = expectInt64(out[t.tokens], 'cond tokens');
    const dims = out[t.tokens]?.dims ?? [];
    const grid = { rows: dims[1] ?? 0, cols: dims[2] ?? 0 };
    const f = this.manifest.gridFactor;
    if (grid.rows !== map.height / f || grid.cols !== map.width / f) {
      throw new TesseraError('MODEL_INVALID', `The cond encoder turned a ${map.width}×${map.height} map into ${grid.cols}×${grid.rows} tokens; with grid factor ${f} the manifest expects ${map.width / f}×${map.height / f}.`);
    }
    const grid32 = new Int32Array(grid.rows * grid.cols);
    for (let i = 0; i < grid32.length; i++) {
      const v = Number(tokens[i]);
      if (!(v >= 0 && v < this.manifest.vocab.cond)) throw new TesseraError('MODEL_INVALID', `The cond encoder produced token ${v}, outside the cond codebook (0..${this.manifest.vocab.cond - 1}).`);
      grid32[i] = v;
    }
    return { grid, tokens: grid32 };
  }

  /**
   * Decodes token grids (B of them, row-major, each rows×cols) → float [B, 3, rows·f, cols·f],
   * tile by tile (decode-tiles.ts); a grid that fits one tile is one decoder run, as it always was.
   */
  async decodeTokens(tokens: readonly ArrayLike<number>[], grid: GridSize, cancel: CancelToken = NEVER_CANCELLED, tiling: DecodeTiling = this.decodeTiling): Promise<Float32Array> {
    const tiles = this.decodePlan(grid, tiling);
    if (tiles.length === 1) return this.decodeGrid(tokens, grid, cancel);
    const f = this.manifest.gridFactor;
    const width = grid.cols * f;
    const height = grid.rows * f;
    const out = new Float32Array(tokens.length * 3 * width * height);
    for (let b = 0; b < tokens.length; b++) {
      await this.decodeSampleTiles(tokens[b] as ArrayLike<number>, grid, tiles, cancel, (tile, chw) => addTile(out, b * 3 * width * height, width, height, tile, chw, 0, f));
    }
    return out;
  }

  /**
   * Decodes token grids straight to RGBA (chwToRgba's rule), one image per grid. Tiled, the
   * samples go one after the other through one float canvas, so at most one image's floats exist.
   */
  async decodeToRgba(tokens: readonly ArrayLike<number>[], grid: GridSize, cancel: CancelToken = NEVER_CANCELLED, tiling: DecodeTiling = this.decodeTiling): Promise<Array<Uint8Array<ArrayBuffer>>> {
    const f = this.manifest.gridFactor;
    const width = grid.cols * f;
    const height = grid.rows * f;
    const tiles = this.decodePlan(grid, tiling);
    if (tiles.length === 1) {
      const chw = await this.decodeGrid(tokens, grid, cancel);
      return tokens.map((_, b) => chwToRgba(chw, b, width, height));
    }
    const canvas = new Float32Array(3 * width * height);
    const images: Array<Uint8Array<ArrayBuffer>> = [];
    for (const t of tokens) {
      canvas.fill(0);
      await this.decodeSampleTiles(t, grid, tiles, cancel, (tile, chw) => addTile(canvas, 0, width, height, tile, chw, 0, f));
      images.push(chwToRgba(canvas, 0, width, height));
    }
    return images;
  }

  /** The tiles a grid decodes in; a decoder graph with a fixed input size only decodes whole grids. */
  private decodePlan(grid: GridSize, tiling: DecodeTiling): DecodeTile[] {
    return this.decoderTakesAnySize() ? planDecodeTiles(grid, tiling) : [wholeGridTile(grid)];
  }

  /**
   * Decodes one sample's tiles, one decoder run each, so the decoder's working memory is that of
   * one tile of one image whatever the canvas and batch (onnxruntime's CPU kernels compute batch
   * rows independently, so batching them would not change the pixels, only the memory).
   */
  private async decodeSampleTiles(tokens: ArrayLike<number>, grid: GridSize, tiles: readonly DecodeTile[], cancel: CancelToken, add: (tile: DecodeTile, chw: Float32Array) => void): Promise<void> {
    for (const tile of tiles) add(tile, await this.decodeGrid([cropTokens(tokens, grid, tile)], { rows: tile.rows.size, cols: tile.cols.size }, cancel));
  }

  /** One decoder run: B token grids of one size → float [B, 3, rows·f, cols·f]. */
  private async decodeGrid(tokens: readonly ArrayLike<number>[], grid: GridSize, cancel: CancelToken): Promise<Float32Array> {
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
