/** Pixel conversions between label maps, graph tensors and RGBA images. */
import type { LabelMap } from '../shared/labelmap.ts';

/** Label maps (all the same size) → int64 [B, H, W]. */
export function labelsToInt64(maps: readonly LabelMap[]): BigInt64Array {
  const first = maps[0];
  if (!first) return new BigInt64Array(0);
  const n = first.width * first.height;
  const out = new BigInt64Array(maps.length * n);
  maps.forEach((m, b) => {
    for (let i = 0; i < n; i++) out[b * n + i] = BigInt(m.data[i] as number);
  });
  return out;
}

/** A rectangle of pixels. */
export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * One image of a float [B, 3, H, W] tensor in [-1, 1] → RGBA bytes. `(x + 1) · 127.5`, rounded to
 * nearest and clamped: the same rule for previews and the final image.
 */
export function chwToRgba(chw: Float32Array, batchIndex: number, width: number, height: number, out: Uint8Array<ArrayBuffer> = new Uint8Array(width * height * 4)): Uint8Array<ArrayBuffer> {
  chwRectToRgba(chw, batchIndex, { width, height }, { x: 0, y: 0, width, height }, out, width, { x: 0, y: 0 });
  return out;
}

/**
 * `rect` of one image of a float [B, 3, src.height, src.width] tensor → RGBA bytes at `at` of an
 * image `outWidth` pixels wide, by chwToRgba's rule. Tiled decoding writes each tile's core
 * straight into the result with it, so no full-canvas float copy is ever needed.
 */
export function chwRectToRgba(
  chw: Float32Array,
  batchIndex: number,
  src: { width: number; height: number },
  rect: PixelRect,
  out: Uint8Array,
  outWidth: number,
  at: { x: number; y: number },
): void {
  const plane = src.width * src.height;
  const base = batchIndex * 3 * plane;
  for (let y = 0; y < rect.height; y++) {
    const srcRow = (rect.y + y) * src.width + rect.x;
    const dstRow = (at.y + y) * outWidth + at.x;
    for (let x = 0; x < rect.width; x++) {
      const i = srcRow + x;
      const o = 4 * (dstRow + x);
      for (let c = 0; c < 3; c++) {
        const v = Math.round(((chw[base + c * plane + i] as number) + 1) * 127.5);
        out[o + c] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
      out[o + 3] = 255;
    }
  }
}

/** Nearest-neighbour resize of a label map (the CLI's --size). */
export function resizeLabelMap(map: LabelMap, width: number, height: number): LabelMap {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(map.height - 1, Math.floor(((y + 0.5) * map.height) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(map.width - 1, Math.floor(((x + 0.5) * map.width) / width));
      data[y * width + x] = map.data[sy * map.width + sx] as number;
    }
  }
  return { width, height, data };
}
