/**
 * The instant preview: one pixel per token (the studio scales it up), coloured by the mean colour
 * each image code decodes to (manifest.previewColors). Tokens not sampled yet show the layout's
 * class colour under them, dimmed, so the picture fills in over the layout.
 */
import type { GridSize } from '../../shared/grid.ts';
import { parseHexColour, type LabelMap } from '../../shared/labelmap.ts';
import { previewColorTable, type Manifest } from '../../shared/manifest.ts';
import type { RgbaImage } from '../../shared/protocol.ts';

/** How much of the class colour an unsampled token keeps (the rest is a neutral grey). */
const DIM = 0.35;
const GREY = 96;

export function dim(v: number): number {
  return Math.round(v * DIM + GREY * (1 - DIM));
}

/** Per-code colours; without previewColors a fixed hash colour per code, so tokens still differ. */
export function tokenColourTable(manifest: Manifest): Uint8Array {
  const table = previewColorTable(manifest);
  if (table) return table;
  const out = new Uint8Array(manifest.vocab.image * 3);
  for (let i = 0; i < manifest.vocab.image; i++) {
    const h = Math.imul(i + 1, 0x9e3779b1) >>> 0;
    out[3 * i] = h & 0xff;
    out[3 * i + 1] = (h >>> 8) & 0xff;
    out[3 * i + 2] = (h >>> 16) & 0xff;
  }
  return out;
}

/** The dimmed class colour of every token: the class at the token's centre pixel. */
export function dimmedLayoutTokens(layout: LabelMap, grid: GridSize, gridFactor: number, manifest: Manifest): Uint8Array {
  const lut = classLut(manifest);
  const out = new Uint8Array(grid.rows * grid.cols * 3);
  const half = Math.floor(gridFactor / 2);
  for (let r = 0; r < grid.rows; r++) {
    for (let c = 0; c < grid.cols; c++) {
      const cls = layout.data[(r * gridFactor + half) * layout.width + c * gridFactor + half] as number;
      for (let k = 0; k < 3; k++) out[3 * (r * grid.cols + c) + k] = dim(lut[3 * cls + k] as number);
    }
  }
  return out;
}

export function classLut(manifest: Manifest): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  for (const c of manifest.classes) lut.set(parseHexColour(c.color), 3 * c.id);
  return lut;
}

export class TokenPreview {
  private readonly colours: Uint8Array;
  private readonly base: Uint8Array;

  constructor(
    manifest: Manifest,
    layout: LabelMap,
    private readonly grid: GridSize,
  ) {
    this.colours = tokenColourTable(manifest);
    this.base = dimmedLayoutTokens(layout, grid, manifest.gridFactor, manifest);
  }

  /** `known[i]` = token i is final (sampled, or kept outside an inpaint region). */
  render(tokens: Int32Array, known: Uint8Array): RgbaImage {
    const n = this.grid.rows * this.grid.cols;
    const rgba = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) {
      const src = known[i] ? this.colours : this.base;
      const at = known[i] ? 3 * (tokens[i] as number) : 3 * i;
      rgba[4 * i] = src[at] as number;
      rgba[4 * i + 1] = src[at + 1] as number;
      rgba[4 * i + 2] = src[at + 2] as number;
      rgba[4 * i + 3] = 255;
    }
    return { width: this.grid.cols, height: this.grid.rows, rgba };
  }
}
