/**
 * `contact.png`: one row per layout, its label map first and then its results, one column per
 * seed, each scaled into a square cell. Built from the PNG files on disk rather than from memory,
 * so whichever shard finishes last writes the same sheet for the whole folder.
 */
import { encode } from 'fast-png';
import { labelMapToRgba, type LabelMap } from '../../shared/labelmap.ts';
import type { ModelClass } from '../../shared/manifest.ts';

export const CONTACT_FILE = 'contact.png';

/** Beyond this the sheet is a poster, not an overview: later rows and columns are left out. */
export const MAX_CONTACT_ROWS = 64;
export const MAX_CONTACT_COLUMNS = 32;
const CELL = 128;
const GAP = 4;
const BACKGROUND = 32;

export interface ContactRow {
  layout: LabelMap;
  /** RGB pixels of each seed's result, or null when missing. */
  results: Array<{ width: number; height: number; rgb: Uint8Array } | null>;
}

/** Nearest-neighbour scale into a CELL×CELL box, centred, on the sheet at (x0, y0). */
function paste(sheet: Uint8Array, sheetWidth: number, x0: number, y0: number, width: number, height: number, pixel: (x: number, y: number, out: Uint8Array) => void): void {
  const scale = Math.min(CELL / width, CELL / height);
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const ox = x0 + Math.floor((CELL - w) / 2);
  const oy = y0 + Math.floor((CELL - h) / 2);
  const rgb = new Uint8Array(3);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(height - 1, Math.floor((y + 0.5) / scale));
    for (let x = 0; x < w; x++) {
      pixel(Math.min(width - 1, Math.floor((x + 0.5) / scale)), sy, rgb);
      sheet.set(rgb, ((oy + y) * sheetWidth + ox + x) * 3);
    }
  }
}

export function renderContactSheet(rows: readonly ContactRow[], classes: readonly ModelClass[]): Uint8Array {
  const shown = rows.slice(0, MAX_CONTACT_ROWS);
  const columns = 1 + Math.min(MAX_CONTACT_COLUMNS, Math.max(0, ...shown.map((r) => r.results.length)));
  const width = GAP + columns * (CELL + GAP);
  const height = GAP + Math.max(1, shown.length) * (CELL + GAP);
  const sheet = new Uint8Array(width * height * 3).fill(BACKGROUND);
  shown.forEach((row, r) => {
    const y0 = GAP + r * (CELL + GAP);
    const colours = labelMapToRgba(row.layout, classes);
    paste(sheet, width, GAP, y0, row.layout.width, row.layout.height, (x, y, out) => {
      const i = (y * row.layout.width + x) * 4;
      out.set(colours.subarray(i, i + 3));
    });
    row.results.slice(0, MAX_CONTACT_COLUMNS).forEach((result, c) => {
      if (!result) return;
      paste(sheet, width, GAP + (c + 1) * (CELL + GAP), y0, result.width, result.height, (x, y, out) => {
        const i = (y * result.width + x) * 3;
        out.set(result.rgb.subarray(i, i + 3));
      });
    });
  });
  return encode({ width, height, data: sheet, channels: 3, depth: 8, text: { Software: 'Tessera' } });
}
