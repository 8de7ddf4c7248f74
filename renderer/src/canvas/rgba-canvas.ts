/** RGBA images (protocol) to canvases for drawing, cached per image object. */
import type { RgbaImage } from '../../../shared/protocol.ts';

const cache = new WeakMap<RgbaImage, HTMLCanvasElement>();

export function imageToCanvas(image: RgbaImage): HTMLCanvasElement {
  const hit = cache.get(image);
  if (hit) return hit;
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  if (ctx) ctx.putImageData(new ImageData(new Uint8ClampedArray(image.rgba.buffer, image.rgba.byteOffset, image.rgba.byteLength), image.width, image.height), 0, 0);
  cache.set(image, canvas);
  return canvas;
}

/**
 * Live previews arrive dozens of times a second and are shown once: instead of a new canvas per
 * image (allocation + GC churn), each named slot keeps one canvas and overwrites its pixels.
 */
const slots = new Map<string, { canvas: HTMLCanvasElement; image: RgbaImage | null }>();

export function transientCanvas(image: RgbaImage, slot: string): HTMLCanvasElement {
  let entry = slots.get(slot);
  if (!entry) {
    entry = { canvas: document.createElement('canvas'), image: null };
    slots.set(slot, entry);
  }
  if (entry.image !== image) {
    if (entry.canvas.width !== image.width || entry.canvas.height !== image.height) {
      entry.canvas.width = image.width;
      entry.canvas.height = image.height;
    }
    entry.canvas.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(image.rgba.buffer, image.rgba.byteOffset, image.rgba.byteLength), image.width, image.height), 0, 0);
    entry.image = image;
  }
  return entry.canvas;
}

/** Reads a canvas back as a protocol image (used for imports). */
export function canvasToImage(canvas: HTMLCanvasElement): RgbaImage {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2d context');
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  return { width: canvas.width, height: canvas.height, rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
