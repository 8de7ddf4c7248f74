/** Synthetic layouts for benchmarks and fixtures: horizontal bands plus a few discs. */
import type { LabelMap } from '../../../shared/labelmap.ts';

/**
 * `variant` moves the discs, so consecutive runs see different label maps: a cold-start figure
 * (time to first preview) must not profit from anything kept from the run before.
 */
export function benchLayout(width: number, height: number, classCount: number, variant = 0): LabelMap {
  const data = new Uint8Array(width * height);
  const bands = Math.min(classCount, 4);
  const shift = (variant * width) / 16;
  for (let y = 0; y < height; y++) {
    const band = Math.min(bands - 1, Math.floor((y / height) * bands));
    for (let x = 0; x < width; x++) {
      let cls = band;
      for (let d = 0; d < 3; d++) {
        const cx = (((d + 1) * width) / 4 + shift) % width;
        const cy = height / 2 + ((d % 2 ? 1 : -1) * height) / 8;
        if ((x - cx) ** 2 + (y - cy) ** 2 < (Math.min(width, height) / 8) ** 2) cls = (bands + d) % classCount;
      }
      data[y * width + x] = cls;
    }
  }
  return { width, height, data };
}
