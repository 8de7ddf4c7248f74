/**
 * The inpainted picture: the input image's own pixels outside the region, the decode inside, and
 * a ramp across the seam. The ramp lies entirely inside the region (a pixel `d` pixels in from
 * the nearest kept pixel takes d/(blend+1) of the decode), so every pixel outside is the input's
 * exactly, and only the regenerated area's edge is softened.
 */
import type { GridSize } from '../../shared/grid.ts';
import type { RgbaImage } from '../../shared/protocol.ts';

const INF = 1 << 29;

/**
 * Weight of the decoded image per pixel: 0 outside the region, rising to 1 over `blend` pixels
 * inside it (chamfer 3-4 distance, within 8 % of Euclidean). `blend` 0 is a hard edge.
 */
export function seamWeights(region: Uint8Array, grid: GridSize, gridFactor: number, blend: number): Float32Array {
  const width = grid.cols * gridFactor;
  const height = grid.rows * gridFactor;
  const d = new Int32Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / gridFactor) * grid.cols;
    for (let x = 0; x < width; x++) d[y * width + x] = region[row + Math.floor(x / gridFactor)] ? INF : 0;
  }
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= width || y >= height ? INF : (d[y * width + x] as number));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (d[i] === 0) continue;
      d[i] = Math.min(d[i] as number, at(x - 1, y) + 3, at(x, y - 1) + 3, at(x - 1, y - 1) + 4, at(x + 1, y - 1) + 4);
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      if (d[i] === 0) continue;
      d[i] = Math.min(d[i] as number, at(x + 1, y) + 3, at(x, y + 1) + 3, at(x + 1, y + 1) + 4, at(x - 1, y + 1) + 4);
    }
  }
  const weights = new Float32Array(width * height);
  for (let i = 0; i < weights.length; i++) {
    const v = d[i] as number;
    weights[i] = v === 0 ? 0 : v >= INF ? 1 : Math.min(1, v / 3 / (blend + 1));
  }
  return weights;
}

/** input·(1 − w) + decoded·w per channel, rounded; alpha opaque. Both images are the grid's size. */
export function compositeImages(input: RgbaImage, decoded: RgbaImage, weights: Float32Array): RgbaImage {
  const rgba = new Uint8Array(decoded.rgba.length);
  for (let p = 0; p < weights.length; p++) {
    const w = weights[p] as number;
    const i = 4 * p;
    for (let c = 0; c < 3; c++) {
      const a = input.rgba[i + c] as number;
      rgba[i + c] = w === 0 ? a : w === 1 ? (decoded.rgba[i + c] as number) : Math.round(a + (((decoded.rgba[i + c] as number) - a) * w));
    }
    rgba[i + 3] = 255;
  }
  return { width: decoded.width, height: decoded.height, rgba };
}
