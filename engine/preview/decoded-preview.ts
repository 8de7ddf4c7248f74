/**
 * Decoded partial previews, throttled and tiled.
 *
 * Throttle: decoding shares the cores with sampling, so a preview is decoded only while the time
 * spent decoding stays within `budget` (25 %) of the time spent sampling, counting the predicted
 * cost of the next decode (the last decode's time per token × the tile's tokens).
 *
 * Tiles: the VQGAN decoder is convolutional with one global attention block at the lowest
 * resolution, so a sub-grid decode is not bit-equal to a full decode, but with a margin of context
 * tokens around the tile it is visually indistinguishable at preview scale. So only the tokens
 * sampled since the last preview are decoded, inside their bounding box grown by `margin` tokens
 * (2 by default) on every side, and only their own cells are pasted. When the decoder's graph has
 * a fixed input size, the whole grid is decoded instead. The final image decodes every token.
 */
import type { GridSize } from '../../shared/grid.ts';
import type { LabelMap } from '../../shared/labelmap.ts';
import type { RgbaImage } from '../../shared/protocol.ts';
import type { CancelToken } from '../cancel.ts';
import type { LoadedModel } from '../model/loaded-model.ts';
import { classLut, dim } from './token-preview.ts';

export interface DecodedPreviewOptions {
  /** Share of sampling time that preview decoding may take. */
  budget: number;
  /** Context tokens around a dirty tile. */
  margin: number;
  clock: () => number;
}

export class DecodedPreview {
  /** One canvas per sample, starting as the dimmed layout. */
  readonly canvases: Uint8Array[];
  private readonly dirty: Uint8Array;
  private anyDirty = false;
  private samplingMs = 0;
  private decodeMs = 0;
  private msPerToken: number | null = null;
  private readonly width: number;
  private readonly height: number;
  private readonly f: number;
  decodes = 0;
  private maxDecodeMs = 0;

  constructor(
    private readonly model: LoadedModel,
    layouts: readonly LabelMap[],
    private readonly grid: GridSize,
    private readonly options: DecodedPreviewOptions,
  ) {
    this.f = model.manifest.gridFactor;
    this.width = grid.cols * this.f;
    this.height = grid.rows * this.f;
    const lut = classLut(model.manifest);
    this.canvases = layouts.map((layout) => {
      const rgba = new Uint8Array(this.width * this.height * 4);
      for (let i = 0; i < this.width * this.height; i++) {
        const cls = layout.data[i] as number;
        rgba[4 * i] = dim(lut[3 * cls] as number);
        rgba[4 * i + 1] = dim(lut[3 * cls + 1] as number);
        rgba[4 * i + 2] = dim(lut[3 * cls + 2] as number);
        rgba[4 * i + 3] = 255;
      }
      return rgba;
    });
    this.dirty = new Uint8Array(grid.rows * grid.cols);
  }

  markSampled(index: number): void {
    this.dirty[index] = 1;
    this.anyDirty = true;
  }

  addSamplingTime(ms: number): void {
    this.samplingMs += ms;
  }

  /** The final decode's predicted cost (every token of every sample), once a preview decode has measured it. */
  predictedFullDecodeMs(): number | null {
    return this.msPerToken === null ? null : this.msPerToken * this.canvases.length * (this.width / this.f) * (this.height / this.f);
  }

  /** Whether a decode now keeps decoding within budget. */
  due(): boolean {
    if (!this.anyDirty) return false;
    const rect = this.tileRect();
    const predicted = (this.msPerToken ?? 0) * (rect.rows * rect.cols);
    return this.decodeMs + predicted <= this.options.budget * this.samplingMs;
  }

  get stats(): { samplingMs: number; decodeMs: number; decodes: number; maxDecodeMs: number } {
    return { samplingMs: this.samplingMs, decodeMs: this.decodeMs, decodes: this.decodes, maxDecodeMs: this.maxDecodeMs };
  }

  private tileRect(): { top: number; left: number; rows: number; cols: number } {
    let r0 = Infinity;
    let r1 = -1;
    let c0 = Infinity;
    let c1 = -1;
    for (let i = 0; i < this.dirty.length; i++) {
      if (!this.dirty[i]) continue;
      const r = Math.floor(i / this.grid.cols);
      const c = i % this.grid.cols;
      if (r < r0) r0 = r;
      if (r > r1) r1 = r;
      if (c < c0) c0 = c;
      if (c > c1) c1 = c;
    }
    if (!this.model.decoderTakesAnySize() || r1 < 0) return { top: 0, left: 0, rows: this.grid.rows, cols: this.grid.cols };
    const m = this.options.margin;
    const top = Math.max(0, r0 - m);
    const left = Math.max(0, c0 - m);
    return { top, left, rows: Math.min(this.grid.rows, r1 + m + 1) - top, cols: Math.min(this.grid.cols, c1 + m + 1) - left };
  }

  /** Decodes the dirty tile of every sample and pastes the dirty cells; returns the canvases. */
  async decode(tokens: readonly Int32Array[], cancel: CancelToken): Promise<RgbaImage[]> {
    const started = this.options.clock();
    const rect = this.tileRect();
    const tiles = tokens.map((t) => {
      const tile = new Int32Array(rect.rows * rect.cols);
      for (let r = 0; r < rect.rows; r++) for (let c = 0; c < rect.cols; c++) tile[r * rect.cols + c] = t[(rect.top + r) * this.grid.cols + rect.left + c] as number;
      return tile;
    });
    // A large dirty rectangle is itself decoded in tiles (loaded-model.ts), so a preview never needs
    // more decoder memory than the final image.
    const decoded = await this.model.decodeToRgba(tiles, { rows: rect.rows, cols: rect.cols }, cancel);
    const tw = rect.cols * this.f;
    const f = this.f;
    tokens.forEach((_, b) => {
      const tileRgba = decoded[b] as Uint8Array;
      const canvas = this.canvases[b] as Uint8Array;
      for (let r = 0; r < rect.rows; r++) {
        for (let c = 0; c < rect.cols; c++) {
          if (!this.dirty[(rect.top + r) * this.grid.cols + rect.left + c]) continue;
          for (let y = 0; y < f; y++) {
            const src = ((r * f + y) * tw + c * f) * 4;
            const dst = (((rect.top + r) * f + y) * this.width + (rect.left + c) * f) * 4;
            canvas.set(tileRgba.subarray(src, src + f * 4), dst);
          }
        }
      }
    });
    this.dirty.fill(0);
    this.anyDirty = false;
    const ms = this.options.clock() - started;
    this.decodeMs += ms;
    this.maxDecodeMs = Math.max(this.maxDecodeMs, ms);
    this.decodes++;
    this.msPerToken = ms / (rect.rows * rect.cols);
    return this.canvases.map((rgba) => ({ width: this.width, height: this.height, rgba: rgba.slice() }));
  }
}
