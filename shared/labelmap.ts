/**
 * Label maps: one class index per pixel (`Uint8Array`, row-major). A label map is drawn through
 * a palette but never stored as colours, so every pixel is exactly one class.
 *
 * Two PNG forms are read: palette-coloured PNGs (exact colour match against the model's classes)
 * and grayscale index PNGs (taming's format: one byte per pixel holding the class index).
 */
import { encode, type DecodedPng } from 'fast-png';
import type { ModelClass } from './manifest.ts';
import { TesseraError } from './errors.ts';
import { decodePngSafely, pngLimits, type PngLimits } from './png-guard.ts';

export interface LabelMap {
  width: number;
  height: number;
  data: Uint8Array;
}

export function createLabelMap(width: number, height: number, fill = 0): LabelMap {
  return { width, height, data: new Uint8Array(width * height).fill(fill) };
}

export function parseHexColour(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new TesseraError('BAD_INPUT', `"${hex}" is not a #rrggbb colour`);
  return [parseInt(m[1] as string, 16), parseInt(m[2] as string, 16), parseInt(m[3] as string, 16)];
}

export function toHexColour(r: number, g: number, b: number): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** Unknown values found while reading a label map, with where each first occurs. */
export interface UnknownValue {
  value: string;
  count: number;
  first: { x: number; y: number };
}

const MAX_LISTED = 8;

function unknownValuesError(kind: 'colours' | 'class indices', unknown: Map<string, UnknownValue>, hint: string): TesseraError {
  const list = [...unknown.values()].sort((a, b) => b.count - a.count);
  const shown = list
    .slice(0, MAX_LISTED)
    .map((u) => `${u.value} (${u.count} px, first at x=${u.first.x}, y=${u.first.y})`)
    .join(', ');
  const more = list.length > MAX_LISTED ? ` and ${list.length - MAX_LISTED} more` : '';
  return new TesseraError(kind === 'colours' ? 'UNKNOWN_COLOURS' : 'BAD_INPUT', `The label map has ${list.length} unknown ${kind}: ${shown}${more}. ${hint}`, {
    unknown: list.slice(0, 64),
  });
}

/** Converts RGBA (or RGB with `channels` 3) pixels to class indices by exact colour match. */
export function labelMapFromPixels(pixels: ArrayLike<number>, width: number, height: number, channels: 3 | 4, classes: readonly ModelClass[]): LabelMap {
  const byColour = new Map<number, number>();
  for (const c of classes) {
    const [r, g, b] = parseHexColour(c.color);
    byColour.set((r << 16) | (g << 8) | b, c.id);
  }
  const map = createLabelMap(width, height);
  const unknown = new Map<string, UnknownValue>();
  let translucent: { x: number; y: number } | null = null;
  for (let i = 0, p = 0; i < width * height; i++, p += channels) {
    if (channels === 4 && (pixels[p + 3] as number) !== 255 && translucent === null) translucent = { x: i % width, y: Math.floor(i / width) };
    const key = ((pixels[p] as number) << 16) | ((pixels[p + 1] as number) << 8) | (pixels[p + 2] as number);
    const id = byColour.get(key);
    if (id !== undefined) {
      map.data[i] = id;
      continue;
    }
    const hex = toHexColour(pixels[p] as number, pixels[p + 1] as number, pixels[p + 2] as number);
    const entry = unknown.get(hex);
    if (entry) entry.count++;
    else unknown.set(hex, { value: hex, count: 1, first: { x: i % width, y: Math.floor(i / width) } });
  }
  if (unknown.size > 0) {
    throw unknownValuesError('colours', unknown, `Paint only with the model's ${classes.length} class colours (no anti-aliasing), or use a grayscale index PNG.`);
  }
  if (translucent !== null) {
    throw new TesseraError('BAD_INPUT', `The label map has transparent pixels (first at x=${translucent.x}, y=${translucent.y}); every pixel must be exactly one opaque class colour.`);
  }
  return map;
}

/** Validates class indices (taming's grayscale format) against the number of classes. */
export function labelMapFromIndices(indices: ArrayLike<number>, width: number, height: number, classCount: number): LabelMap {
  const map = createLabelMap(width, height);
  const unknown = new Map<string, UnknownValue>();
  for (let i = 0; i < width * height; i++) {
    const v = indices[i] as number;
    if (v < classCount) {
      map.data[i] = v;
      continue;
    }
    const key = String(v);
    const entry = unknown.get(key);
    if (entry) entry.count++;
    else unknown.set(key, { value: key, count: 1, first: { x: i % width, y: Math.floor(i / width) } });
  }
  if (unknown.size > 0) {
    throw unknownValuesError('class indices', unknown, `The model has classes 0..${classCount - 1}.`);
  }
  return map;
}

/**
 * Reads a label PNG: grayscale → indices; RGB, RGBA or palette → exact colours. The PNG is checked
 * (shared/png-guard.ts) against `limits` before it is decoded: by default the default canvas limit.
 */
export function decodeLabelPng(bytes: Uint8Array, classes: readonly ModelClass[], limits: PngLimits = pngLimits('the label map')): LabelMap {
  return labelMapFromPng(decodePngSafely(bytes, limits), classes);
}

/** A PNG already decoded by `decodePngSafely` as a label map (for callers that check a file before its classes are known). */
export function labelMapFromPng(png: DecodedPng, classes: readonly ModelClass[]): LabelMap {
  const { width, height, channels, depth } = png;
  if (depth !== 8) throw new TesseraError('BAD_INPUT', `Label PNGs must have 8 bits per channel (this one has ${depth}).`);
  if (png.palette) {
    const rgb = new Uint8Array(width * height * 3);
    const palette = png.palette;
    for (let i = 0; i < width * height; i++) {
      const entry = palette[png.data[i] as number];
      if (!entry) throw new TesseraError('BAD_INPUT', `The PNG palette has no entry ${png.data[i]} (x=${i % width}, y=${Math.floor(i / width)}).`);
      rgb[3 * i] = entry[0] as number;
      rgb[3 * i + 1] = entry[1] as number;
      rgb[3 * i + 2] = entry[2] as number;
    }
    return labelMapFromPixels(rgb, width, height, 3, classes);
  }
  if (channels === 1) return labelMapFromIndices(png.data, width, height, classes.length);
  if (channels === 2) throw new TesseraError('BAD_INPUT', 'Gray+alpha PNGs are not label maps: use a grayscale index PNG without alpha, or an RGB palette PNG.');
  return labelMapFromPixels(png.data, width, height, channels as 3 | 4, classes);
}

/** Colours a label map with the classes' colours (RGBA, opaque). */
export function labelMapToRgba(map: LabelMap, classes: readonly ModelClass[], out = new Uint8Array(map.width * map.height * 4)): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  for (const c of classes) lut.set(parseHexColour(c.color), c.id * 3);
  for (let i = 0; i < map.data.length; i++) {
    const k = (map.data[i] as number) * 3;
    out[4 * i] = lut[k] as number;
    out[4 * i + 1] = lut[k + 1] as number;
    out[4 * i + 2] = lut[k + 2] as number;
    out[4 * i + 3] = 255;
  }
  return out;
}

/** Writes a label map as a palette-coloured RGB PNG. */
export function encodeLabelPng(map: LabelMap, classes: readonly ModelClass[]): Uint8Array {
  const rgba = labelMapToRgba(map, classes);
  const rgb = new Uint8Array(map.width * map.height * 3);
  for (let i = 0; i < map.width * map.height; i++) {
    rgb[3 * i] = rgba[4 * i] as number;
    rgb[3 * i + 1] = rgba[4 * i + 1] as number;
    rgb[3 * i + 2] = rgba[4 * i + 2] as number;
  }
  return encode({ width: map.width, height: map.height, data: rgb, channels: 3, depth: 8 });
}

/** Writes a label map as a grayscale index PNG (taming's format). */
export function encodeIndexPng(map: LabelMap): Uint8Array {
  return encode({ width: map.width, height: map.height, data: map.data, channels: 1, depth: 8 });
}
