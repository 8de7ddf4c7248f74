/**
 * The PNG door: label maps and images fed to `generate --layout`, `inpaint --image/--mask/--layout`,
 * `generate --reproduce` and `batch --layouts`. Each input variant says what every command must do
 * with it; a variant is then used in one command (rotating, so each category reaches each command)
 * or, for the dangerous categories (bombs, CRCs, structure), in all of them.
 */
import { encode } from 'fast-png';
import type { ErrorCode } from '../../shared/errors.ts';
import { encodeIndexPng, encodeLabelPng, parseHexColour, type LabelMap } from '../../shared/labelmap.ts';
import { encodeResultPng, layoutSha256, type GenerationRecord } from '../../electron/cli/support/png.ts';
import { toBase64 } from '../../engine/batch/digest.ts';
import { FIXTURE_DIR, fixtureClasses, fixtureIdVersion } from './fixture.ts';
import { ascii, channelsOf, chunk, concat, ihdrData, png, PNG_SIGNATURE, rawPng, readChunks, rowBytes, zlibStored, zlibZeros, type Ihdr } from './png-bytes.ts';
import type { Rng } from './rng.ts';
import type { CliCase, CliExpect, InputFile } from './types.ts';

export type Slot = 'layout' | 'image' | 'mask' | 'ilayout' | 'reproduce' | 'batch';
const SLOTS: readonly Slot[] = ['layout', 'image', 'mask', 'ilayout', 'reproduce', 'batch'];

interface Outcome {
  exitCodes: number[];
  errorCodes: ErrorCode[];
}

interface Variant {
  category: string;
  what: string;
  file: InputFile;
  expect: Partial<Record<Slot, Outcome>>;
  /** `all`: use the input in every command it has an expectation for; `one`: in one, rotating. */
  fanout: 'one' | 'all';
  maxRssMb?: number;
  timeoutMs?: number;
  /** Extra arguments or replacements for this variant (e.g. --reproduce without --model). */
  noModel?: boolean;
}

/** Harness and CLI processes idle at ~160–250 MB; a case may add this much on top before it counts. */
export const PNG_MAX_RSS_MB = 768;
const PNG_TIMEOUT_MS = 30_000;
/** A clear error is a few lines; 64 KB leaves room for a verify report and notes. */
export const MAX_OUTPUT_BYTES = 64 * 1024;
const W = 64;
const H = 32;

const LABEL_CODES: ErrorCode[] = ['BAD_INPUT', 'UNKNOWN_COLOURS', 'BAD_CANVAS_SIZE'];
const bad = (codes: ErrorCode[] = ['BAD_INPUT']): Outcome => ({ exitCodes: [2], errorCodes: codes });
const maybe = (codes: ErrorCode[] = LABEL_CODES): Outcome => ({ exitCodes: [0, 2], errorCodes: codes });
const ok = (): Outcome => ({ exitCodes: [0], errorCodes: [] });

/** Not a usable PNG anywhere: every command refuses it with BAD_INPUT (or a size error for header bombs). */
function everywhere(outcome: Outcome): Partial<Record<Slot, Outcome>> {
  return Object.fromEntries(SLOTS.map((s) => [s, outcome]));
}

/**
 * Expectations for a structurally legal PNG: the label commands need 8-bit class data of a size on
 * the grid (`label`), inpaint's image accepts any legal PNG of the mask's size, a mask may be empty.
 */
function legal(size: { width: number; height: number }, label: 'ok' | 'bad' | 'maybe', labelCodes: ErrorCode[] = LABEL_CODES): Partial<Record<Slot, Outcome>> {
  const fits = size.width === W && size.height === H;
  const labelOutcome = label === 'ok' && fits ? ok() : label === 'bad' || !fits ? bad(fits ? labelCodes : ['BAD_INPUT', 'BAD_CANVAS_SIZE', 'UNKNOWN_COLOURS']) : maybe(labelCodes);
  return {
    layout: labelOutcome,
    batch: labelOutcome,
    ilayout: label === 'ok' && fits ? ok() : fits ? maybe(labelCodes) : bad(['BAD_INPUT', 'UNKNOWN_COLOURS', 'BAD_CANVAS_SIZE']),
    // Another size than the mask's is refused; past the canvas limit, possibly before that comparison.
    image: fits ? ok() : bad(['BAD_INPUT', 'BAD_CANVAS_SIZE']),
    mask: fits ? maybe(['NOTHING_TO_DO']) : bad(['BAD_INPUT', 'BAD_CANVAS_SIZE']),
    reproduce: bad(['BAD_INPUT']),
  };
}

const bytes = (b: Uint8Array): InputFile => ({ kind: 'bytes', bytes: b });

// ---------------------------------------------------------------- base images (64×32)

function classColours(): Array<[number, number, number]> {
  return fixtureClasses().map((c) => parseHexColour(c.color));
}

function stripes(): LabelMap {
  const data = new Uint8Array(W * H);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor((i % W) / 13) % 5;
  return { width: W, height: H, data };
}

function randomIndices(rng: Rng, n: number, max: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(0, max);
  return out;
}

export interface BaseImages {
  layoutRgb: Uint8Array;
  layoutIndex: Uint8Array;
  image: Uint8Array;
  mask: Uint8Array;
  result: Uint8Array;
  record: GenerationRecord;
  layout: LabelMap;
}

export function baseImages(): BaseImages {
  const classes = fixtureClasses();
  const layout = stripes();
  const rgb = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) rgb.set([(i * 7) & 0xff, (i >> 3) & 0xff, 128], 3 * i);
  const maskData = new Uint8Array(W * H);
  for (let y = 8; y < 24; y++) for (let x = 16; x < 40; x++) maskData[y * W + x] = 255;
  const record: GenerationRecord = {
    format: 'tessera-generation',
    version: 1,
    model: { ...fixtureIdVersion(), path: FIXTURE_DIR },
    size: { width: W, height: H },
    settings: { seed: 3, temperature: 1, topK: 8, topP: 1, sampler: 'cached', stride: 2, decodedPreviews: false },
    backend: 'cpu',
    layoutSha256: layoutSha256(layout),
  };
  const rgba = new Uint8Array(W * H * 4);
  for (let i = 0; i < W * H; i++) rgba.set([rgb[3 * i] as number, rgb[3 * i + 1] as number, 128, 255], 4 * i);
  return {
    layoutRgb: encodeLabelPng(layout, classes),
    layoutIndex: encodeIndexPng(layout),
    image: encode({ width: W, height: H, data: rgb, channels: 3, depth: 8 }),
    mask: encode({ width: W, height: H, data: maskData, channels: 1, depth: 8 }),
    result: encodeResultPng({ width: W, height: H, rgba }, record, layout),
    record,
    layout,
  };
}

// ---------------------------------------------------------------- raw PNG helpers

function pack(samples: ArrayLike<number>, depth: number): Uint8Array {
  if (depth === 8) return Uint8Array.from(samples);
  if (depth === 16) {
    const out = new Uint8Array(samples.length * 2);
    for (let i = 0; i < samples.length; i++) {
      out[2 * i] = ((samples[i] as number) >> 8) & 0xff;
      out[2 * i + 1] = (samples[i] as number) & 0xff;
    }
    return out;
  }
  const out = new Uint8Array(Math.ceil((samples.length * depth) / 8));
  for (let i = 0; i < samples.length; i++) {
    const bit = i * depth;
    out[bit >> 3] = (out[bit >> 3] as number) | (((samples[i] as number) & ((1 << depth) - 1)) << (8 - depth - (bit & 7)));
  }
  return out;
}

const palette = (colours: Array<[number, number, number]>): Uint8Array => chunk('PLTE', Uint8Array.from(colours.flat()));
const iend = (): Uint8Array => chunk('IEND', new Uint8Array(0));

/** A gray 8-bit 64×32 PNG whose IDAT is `idat` (already a zlib stream), other chunks as given. */
function grayWith(idat: Uint8Array, extra: Uint8Array[] = [], h: Partial<Ihdr> = {}): Uint8Array {
  return png([chunk('IHDR', ihdrData({ width: W, height: H, depth: 8, colourType: 0, ...h })), ...extra, chunk('IDAT', idat), iend()]);
}

/** Pixel rows (with filter bytes) of a gray 8-bit image of class indices. */
function grayRows(indices: Uint8Array, width = W, height = H, filter = 0): Uint8Array {
  const raw = new Uint8Array((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = filter;
    raw.set(indices.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  }
  return raw;
}

function replaceChunkCrc(file: Uint8Array, type: string, xor: number): Uint8Array {
  const c = readChunks(file).find((k) => k.type === type);
  if (!c) throw new Error(`no ${type} chunk`);
  const out = file.slice();
  const at = c.offset + 8 + c.data.length;
  out[at + 3] = (out[at + 3] as number) ^ (xor & 0xff || 1);
  return out;
}

// ---------------------------------------------------------------- the variants

function variants(rng: Rng, base: BaseImages): Variant[] {
  const out: Variant[] = [];
  const add = (category: string, what: string, file: InputFile, expect: Partial<Record<Slot, Outcome>>, extra: Partial<Variant> = {}): void => {
    out.push({ category, what, file, expect, fanout: 'one', ...extra });
  };
  const all = { fanout: 'all' as const };
  const colours = classColours();

  // Controls: the door works for good input (exit 0 and a complete output).
  add('control', 'good palette-coloured layout', bytes(base.layoutRgb), { layout: ok(), batch: ok(), ilayout: ok() }, all);
  add('control', 'good grayscale index layout', bytes(base.layoutIndex), { layout: ok(), ilayout: ok() });
  add('control', 'good result PNG', bytes(base.result), { reproduce: ok(), image: ok() }, all);

  // Not PNGs at all.
  add('not-png', 'empty file', bytes(new Uint8Array(0)), everywhere(bad()), all);
  add('not-png', 'missing file', { kind: 'missing' }, everywhere(bad()), all);
  add('not-png', 'a folder instead of a file', { kind: 'directory' }, everywhere(bad()), all);
  add('not-png', 'text', bytes(ascii('hello, this is not a PNG\n')), everywhere(bad()));
  add('not-png', 'JPEG magic', bytes(concat([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16]), ascii('JFIF\0'), rng.bytes(64)])), everywhere(bad()));
  add('not-png', 'GIF magic', bytes(concat([ascii('GIF89a'), rng.bytes(40)])), everywhere(bad()));
  add('not-png', 'PNG signature only', bytes(PNG_SIGNATURE), everywhere(bad()));
  add('not-png', 'signature then garbage', bytes(concat([PNG_SIGNATURE, rng.bytes(200)])), everywhere(bad()));
  add('not-png', 'signature with CRLF damaged (FTP text mode)', bytes(concat([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0a, 0x1a, 0x0a]), base.layoutRgb.subarray(8)])), everywhere(bad()));
  for (let i = 0; i < 4; i++) add('not-png', `random bytes #${i}`, bytes(rng.bytes(rng.int(1, 600))), everywhere(bad()));

  // Truncated good files.
  for (const [name, file] of [['layout', base.layoutRgb], ['index layout', base.layoutIndex], ['image', base.image], ['result', base.result]] as const) {
    const cuts = [1, 7, 8, 16, 29, 33, rng.int(34, file.length - 13), file.length - 13, file.length - 1];
    for (const cut of cuts) add('truncated', `${name} cut to ${cut} of ${file.length} bytes`, bytes(file.slice(0, cut)), everywhere(bad()));
  }
  add('truncated', 'IEND missing (everything else complete)', bytes(base.layoutIndex.slice(0, base.layoutIndex.length - 12)), everywhere(maybe(['BAD_INPUT'])));

  // CRCs: a critical chunk with a wrong CRC must be refused; a wrong CRC on an ancillary chunk may be ignored.
  const paletteLayout = encode({ width: W, height: H, data: base.layout.data, channels: 1, depth: 8, palette: colours });
  for (const type of ['IHDR', 'IDAT', 'IEND']) for (const file of [base.layoutRgb, base.layoutIndex]) add('crc-critical', `${type} CRC wrong`, bytes(replaceChunkCrc(file, type, rng.int(1, 255))), everywhere(bad()), all);
  add('crc-critical', 'PLTE CRC wrong', bytes(replaceChunkCrc(paletteLayout, 'PLTE', rng.int(1, 255))), everywhere(bad()), all);
  {
    const idat = zlibStored(grayRows(base.layout.data));
    add('crc-critical', 'IDAT CRC 0xdeadbeef', bytes(png([chunk('IHDR', ihdrData({ width: W, height: H, depth: 8, colourType: 0 })), chunk('IDAT', idat, { crc: 0xdeadbeef }), iend()])), everywhere(bad()), all);
  }
  const anc = (type: string, data: Uint8Array): Uint8Array => grayWith(zlibStored(grayRows(base.layout.data)), [chunk(type, data, { crc: rng.uint32() })]);
  add('crc-ancillary', 'tEXt CRC wrong', bytes(anc('tEXt', ascii('Comment\0hello'))), { ...legal({ width: W, height: H }, 'ok'), layout: maybe(), image: maybe(['BAD_INPUT']) }, all);
  add('crc-ancillary', 'pHYs CRC wrong', bytes(anc('pHYs', new Uint8Array([0, 0, 11, 19, 0, 0, 11, 19, 1]))), { layout: maybe(), image: maybe(['BAD_INPUT']), batch: maybe() });
  add('crc-ancillary', 'private chunk CRC wrong', bytes(anc('prVt', rng.bytes(32))), { layout: maybe(), image: maybe(['BAD_INPUT']), ilayout: maybe() });
  add('crc-ancillary', 'gAMA CRC wrong', bytes(anc('gAMA', new Uint8Array([0, 0, 0xb1, 0x8f]))), { layout: maybe(), mask: maybe(['BAD_INPUT', 'NOTHING_TO_DO']) });
  add('crc-ancillary', 'tIME CRC wrong', bytes(anc('tIME', new Uint8Array([7, 0xe8, 1, 1, 0, 0, 0]))), { layout: maybe(), batch: maybe() });

  // Header bombs: a huge width/height with a tiny IDAT. Refused before anything that size is allocated.
  const header: Array<[number, number, number, number]> = [
    [0x7fffffff, 0x7fffffff, 8, 0],
    [0xffffffff, 1, 8, 0],
    [65535, 65535, 8, 0],
    [65535, 65535, 16, 6],
    [100000, 100000, 8, 2],
    [1, 1 << 30, 8, 0],
    [1 << 24, 64, 8, 0],
    [30000, 30000, 8, 3],
    [20000, 20000, 8, 6],
  ];
  for (const [width, height, depth, colourType] of header) {
    const extra = colourType === 3 ? [palette(colours)] : [];
    const file = png([chunk('IHDR', ihdrData({ width, height, depth, colourType })), ...extra, chunk('IDAT', zlibZeros(W * H + H)), iend()]);
    add('header-bomb', `${width}×${height} depth ${depth} colour type ${colourType}, 2 KB of IDAT`, bytes(file), everywhere(bad(['BAD_INPUT', 'BAD_CANVAS_SIZE'])), all);
  }

  // Deflate bombs: a 64×32 header (2 KB of pixels) whose IDAT inflates to hundreds of MB or GBs.
  for (const mb of [64, 512, 4095]) {
    add('inflate-bomb', `IDAT inflating to ${mb} MB for a 64×32 header`, bytes(grayWith(zlibZeros(mb * 1024 * 1024))), everywhere(bad()), { ...all, timeoutMs: 60_000 });
  }
  {
    const z = zlibZeros(1024 * 1024 * 1024);
    const parts: Uint8Array[] = [];
    for (let at = 0; at < z.length; at += 1024) parts.push(chunk('IDAT', z.subarray(at, at + 1024)));
    add('inflate-bomb', '1 GB IDAT bomb split over 1 KB chunks', bytes(png([chunk('IHDR', ihdrData({ width: W, height: H, depth: 8, colourType: 0 })), ...parts, iend()])), everywhere(bad()), all);
    add('inflate-bomb', '1 GB bomb behind a 2048×2048 RGBA header (16 MB expected)', bytes(png([chunk('IHDR', ihdrData({ width: 2048, height: 2048, depth: 8, colourType: 6 })), chunk('IDAT', z), iend()])), everywhere(bad(['BAD_INPUT', 'BAD_CANVAS_SIZE'])), all);
  }
  const good = zlibStored(grayRows(base.layout.data));
  const zchunk = (type: string, head: Uint8Array, mb: number): Uint8Array => grayWith(good, [chunk(type, concat([head, zlibZeros(mb * 1024 * 1024)]))]);
  for (const mb of [256, 3072]) {
    add('iccp-bomb', `iCCP profile inflating to ${mb} MB`, bytes(zchunk('iCCP', ascii('icc\0\0'), mb)), { ...legal({ width: W, height: H }, 'ok'), layout: maybe(['BAD_INPUT']), image: maybe(['BAD_INPUT']), ilayout: maybe(['BAD_INPUT']), batch: maybe(['BAD_INPUT']) }, all);
  }
  add('text-bomb', 'zTXt inflating to 2 GB', bytes(zchunk('zTXt', ascii('Comment\0\0'), 2048)), { layout: maybe(['BAD_INPUT']), image: maybe(['BAD_INPUT']), mask: maybe(['BAD_INPUT', 'NOTHING_TO_DO']), batch: maybe(['BAD_INPUT']) }, all);
  add('text-bomb', 'compressed iTXt inflating to 2 GB', bytes(zchunk('iTXt', ascii('Comment\0\x01\0\0\0'), 2048)), { layout: maybe(['BAD_INPUT']), image: maybe(['BAD_INPUT']), batch: maybe(['BAD_INPUT']) }, all);
  add('text-bomb', '4 MB tEXt value', bytes(grayWith(good, [chunk('tEXt', concat([ascii('Comment\0'), new Uint8Array(4 * 1024 * 1024).fill(0x41)]))])), { layout: maybe(['BAD_INPUT']), image: maybe(['BAD_INPUT']) });
  add('text-bomb', '20,000 tEXt chunks', bytes(grayWith(good, Array.from({ length: 20000 }, (_, i) => chunk('tEXt', ascii(`k${i}\0v`))))), { layout: maybe(['BAD_INPUT']), mask: maybe(['BAD_INPUT', 'NOTHING_TO_DO']) });

  // Every legal colour type and bit depth, at the grid size; label commands may refuse all but 8-bit.
  const legalCombos: Array<[number, number]> = [[0, 1], [0, 2], [0, 4], [0, 8], [0, 16], [2, 8], [2, 16], [3, 1], [3, 2], [3, 4], [3, 8], [4, 8], [4, 16], [6, 8], [6, 16]];
  for (const [colourType, depth] of legalCombos) {
    const ch = channelsOf(colourType);
    const samples = new Array<number>(W * H * ch);
    const maxIndex = colourType === 3 ? Math.min(4, (1 << depth) - 1) : 4;
    for (let p = 0; p < W * H; p++) {
      const cls = rng.int(0, maxIndex);
      const c = colours[cls] as [number, number, number];
      const scale = depth === 16 ? 257 : 1;
      if (colourType === 0) samples[p] = depth === 8 ? cls : depth === 16 ? cls : rng.int(0, (1 << depth) - 1);
      else if (colourType === 3) samples[p] = cls;
      else if (colourType === 4) samples.splice(p * 2, 2, cls, 255 * scale);
      else if (colourType === 2) samples.splice(p * 3, 3, c[0] * scale, c[1] * scale, c[2] * scale);
      else samples.splice(p * 4, 4, c[0] * scale, c[1] * scale, c[2] * scale, 255 * scale);
    }
    const extra = colourType === 3 ? [palette(colours.slice(0, Math.min(colours.length, 1 << depth)))] : [];
    const perRow = rowBytes(W, ch, depth);
    const packedRows = (y: number): Uint8Array => pack(samples.slice(y * W * ch, (y + 1) * W * ch), depth).subarray(0, perRow);
    const file = rawPng({ width: W, height: H, depth, colourType }, packedRows, extra);
    const label = depth === 8 && colourType !== 4 ? 'ok' : 'maybe';
    add('depth-legal', `colour type ${colourType}, ${depth}-bit`, bytes(file), legal({ width: W, height: H }, label), all);
  }
  // Illegal combinations and unknown colour types.
  const illegal: Array<[number, number]> = [[0, 3], [0, 32], [0, 0], [2, 1], [2, 2], [2, 4], [3, 16], [4, 1], [4, 4], [6, 4], [6, 2], [1, 8], [5, 8], [7, 8], [8, 8], [255, 8]];
  for (const [colourType, depth] of illegal) {
    const extra = colourType === 3 ? [palette(colours)] : [];
    const file = png([chunk('IHDR', ihdrData({ width: W, height: H, depth, colourType })), ...extra, chunk('IDAT', zlibZeros((rowBytes(W, Math.max(1, channelsOf(colourType)), Math.max(1, depth)) + 1) * H)), iend()]);
    add('depth-illegal', `colour type ${colourType} with ${depth}-bit samples`, bytes(file), everywhere(bad()), all);
  }

  // IHDR fields and placement.
  const ihdrBad: Array<[string, Uint8Array]> = [
    ['compression method 1', grayWith(good, [], { compression: 1 })],
    ['filter method 1', grayWith(good, [], { filter: 1 })],
    ['interlace method 2', grayWith(good, [], { interlace: 2 })],
    ['interlace method 255', grayWith(good, [], { interlace: 255 })],
    ['IHDR 12 bytes long', png([chunk('IHDR', ihdrData({ width: W, height: H, depth: 8, colourType: 0 }).subarray(0, 12)), chunk('IDAT', good), iend()])],
    ['IHDR 20 bytes long', png([chunk('IHDR', concat([ihdrData({ width: W, height: H, depth: 8, colourType: 0 }), rng.bytes(7)])), chunk('IDAT', good), iend()])],
    ['no IHDR', png([chunk('IDAT', good), iend()])],
    ['IHDR after IDAT', png([chunk('IDAT', good), chunk('IHDR', ihdrData({ width: W, height: H, depth: 8, colourType: 0 })), iend()])],
    ['two IHDRs with different sizes', png([chunk('IHDR', ihdrData({ width: W, height: H, depth: 8, colourType: 0 })), chunk('IHDR', ihdrData({ width: 4096, height: 4096, depth: 16, colourType: 6 })), chunk('IDAT', good), iend()])],
  ];
  for (const [what, file] of ihdrBad) add('ihdr-fields', what, bytes(file), everywhere(bad(['BAD_INPUT', 'BAD_CANVAS_SIZE'])), all);

  // Scanline filters.
  for (const filter of [5, 6, 127, 255]) add('filter-bytes', `filter type ${filter} on every row`, bytes(grayWith(zlibStored(grayRows(base.layout.data, W, H, filter)))), everywhere(bad()), all);
  for (const filter of [1, 2, 3, 4]) add('filter-bytes', `legal filter type ${filter} (Sub/Up/Average/Paeth) on raw indices`, bytes(grayWith(zlibStored(grayRows(randomIndices(rng, W * H, 4), W, H, filter)))), legal({ width: W, height: H }, 'maybe'));
  add('filter-bytes', 'Adam7-interlaced index layout', bytes(encodeAdam7(base.layout.data)), legal({ width: W, height: H }, 'ok'), all);

  // Palettes and transparency.
  const idx = (max: number): Uint8Array => randomIndices(rng, W * H, max);
  const palPng = (pal: Uint8Array[], indices: Uint8Array, depth = 8): Uint8Array => rawPng({ width: W, height: H, depth, colourType: 3 }, (y) => pack(indices.subarray(y * W, (y + 1) * W), depth), pal);
  add('palette', 'PLTE of 2 entries, indices up to 4', bytes(palPng([palette(colours.slice(0, 2))], idx(4))), everywhere(bad(['BAD_INPUT', 'UNKNOWN_COLOURS'])), all);
  add('palette', 'PLTE of 5 entries, indices up to 255', bytes(palPng([palette(colours)], idx(255))), everywhere(bad(['BAD_INPUT', 'UNKNOWN_COLOURS'])), all);
  add('palette', 'PLTE length 10 (not a multiple of 3)', bytes(palPng([chunk('PLTE', rng.bytes(10))], idx(2))), everywhere(bad()), all);
  add('palette', 'empty PLTE', bytes(palPng([chunk('PLTE', new Uint8Array(0))], idx(0))), everywhere(bad()));
  add('palette', 'PLTE of 300 entries', bytes(palPng([chunk('PLTE', rng.bytes(900))], idx(4))), everywhere(bad(['BAD_INPUT', 'UNKNOWN_COLOURS'])));
  add('palette', 'colour type 3 without PLTE', bytes(palPng([], idx(4))), everywhere(bad()), all);
  add('palette', 'PLTE after IDAT', bytes(png([chunk('IHDR', ihdrData({ width: W, height: H, depth: 8, colourType: 3 })), chunk('IDAT', zlibStored(grayRows(idx(4)))), palette(colours), iend()])), everywhere(bad()));
  add('palette', 'two PLTE chunks', bytes(palPng([palette(colours), palette(colours.slice(0, 1))], idx(4))), everywhere(maybe(['BAD_INPUT', 'UNKNOWN_COLOURS'])));
  add('palette', 'tRNS makes class colours translucent', bytes(palPng([palette(colours), chunk('tRNS', new Uint8Array([0, 128, 255, 10, 200]))], idx(4))), legal({ width: W, height: H }, 'maybe'));
  add('palette', 'tRNS longer than PLTE', bytes(palPng([palette(colours), chunk('tRNS', new Uint8Array(40).fill(7))], idx(4))), everywhere(bad()), all);
  add('palette', 'tRNS on gray+alpha (forbidden)', bytes(rawPng({ width: W, height: H, depth: 8, colourType: 4 }, () => new Uint8Array(W * 2).fill(255), [chunk('tRNS', new Uint8Array([0, 1]))])), everywhere(bad()));
  add('palette', 'PLTE in a grayscale image', bytes(grayWith(good, [palette(colours)])), legal({ width: W, height: H }, 'maybe'));
  add('palette', '4-bit palette, indices 5..15 past the PLTE', bytes(palPng([palette(colours)], idx(15).map((v) => (v < 5 ? v + 5 : v)), 4)), everywhere(bad(['BAD_INPUT', 'UNKNOWN_COLOURS'])), all);

  // Grayscale index layouts with indices the model does not have (it has classes 0..4).
  for (const v of [5, 6, 128, 255]) {
    const data = base.layout.data.slice();
    for (let i = 0; i < 20; i++) data[rng.int(0, data.length - 1)] = v;
    add('index-range', `indices ${v} ≥ class count 5`, bytes(encode({ width: W, height: H, data, channels: 1, depth: 8 })), { ...legal({ width: W, height: H }, 'bad', ['BAD_INPUT']), layout: bad(['BAD_INPUT']) }, all);
  }
  {
    const data = new Uint8Array(W * H * 2);
    for (let i = 0; i < W * H; i++) data[2 * i + 1] = rng.int(0, 4);
    add('index-range', '16-bit grayscale indices (high byte 0)', bytes(rawPng({ width: W, height: H, depth: 16, colourType: 0 }, (y) => data.subarray(y * W * 2, (y + 1) * W * 2))), legal({ width: W, height: H }, 'maybe'));
  }

  // Colours that are not class colours.
  const rgbPng = (f: (p: number) => [number, number, number, number?], alpha = false): Uint8Array => {
    const ch = alpha ? 4 : 3;
    const data = new Uint8Array(W * H * ch);
    for (let p = 0; p < W * H; p++) data.set(f(p).slice(0, ch) as number[], p * ch);
    return encode({ width: W, height: H, data, channels: ch, depth: 8 });
  };
  add('colours', 'anti-aliased edges (colours between classes)', bytes(rgbPng((p) => (p % 7 === 0 ? [120, 150, 140] : (colours[p % 5] as [number, number, number])))), legal({ width: W, height: H }, 'bad', ['UNKNOWN_COLOURS']));
  add('colours', 'every pixel a different colour', bytes(rgbPng((p) => [p & 0xff, (p >> 8) & 0xff, 77])), legal({ width: W, height: H }, 'bad', ['UNKNOWN_COLOURS']));
  add('colours', 'class colours off by one', bytes(rgbPng((p) => (colours[p % 5] as [number, number, number]).map((v) => (v + 1) & 0xff) as [number, number, number])), legal({ width: W, height: H }, 'bad', ['UNKNOWN_COLOURS']));
  add('colours', 'class colours, half transparent', bytes(rgbPng((p) => [...(colours[p % 5] as [number, number, number]), p % 2 ? 255 : 100], true)), legal({ width: W, height: H }, 'bad', ['BAD_INPUT', 'UNKNOWN_COLOURS']));

  // Sizes off the grid, empty and over the limit (valid PNGs of class 0).
  for (const [width, height] of [[63, 32], [65, 32], [64, 33], [60, 40], [1, 1], [8, 8], [24, 32], [32, 24], [2049, 8]] as const) {
    add('size-grid', `${width}×${height} px`, bytes(encode({ width, height, data: new Uint8Array(width * height), channels: 1, depth: 8 })), legal({ width, height }, 'bad', ['BAD_CANVAS_SIZE', 'BAD_INPUT']));
  }
  for (const [width, height] of [[0, 0], [0, H], [W, 0]] as const) {
    const file = png([chunk('IHDR', ihdrData({ width, height, depth: 8, colourType: 0 })), chunk('IDAT', zlibStored(new Uint8Array(height > 0 && width > 0 ? (width + 1) * height : height))), iend()]);
    add('size-zero', `${width}×${height} px`, bytes(file), everywhere(bad(['BAD_INPUT', 'BAD_CANVAS_SIZE'])), all);
  }
  for (const [width, height] of [[2056, 32], [2048, 2056], [8192, 8], [4096, 4096], [16384, 16384]] as const) {
    const file = png([chunk('IHDR', ihdrData({ width, height, depth: 8, colourType: 0 })), chunk('IDAT', zlibZeros((width + 1) * height)), iend()]);
    add('size-limit', `${width}×${height} px of class 0 (a legal PNG over the 2048×2048 limit)`, bytes(file), everywhere(bad(['BAD_INPUT', 'BAD_CANVAS_SIZE'])), { ...all, timeoutMs: 60_000 });
  }

  // Chunk structure.
  const ihdr = chunk('IHDR', ihdrData({ width: W, height: H, depth: 8, colourType: 0 }));
  const structure: Array<[string, Uint8Array, Partial<Record<Slot, Outcome>>]> = [
    ['chunk length 0xFFFFFFFF', png([ihdr, chunk('IDAT', good, { length: 0xffffffff }), iend()]), everywhere(bad())],
    ['chunk length past the end of the file', png([ihdr, chunk('IDAT', good, { length: good.length + 1000 }), iend()]), everywhere(bad())],
    ['no IDAT', png([ihdr, iend()]), everywhere(bad())],
    ['empty IDAT only', png([ihdr, chunk('IDAT', new Uint8Array(0)), iend()]), everywhere(bad())],
    ['IDAT split into 1-byte chunks', png([ihdr, ...Array.from(good, (b) => chunk('IDAT', new Uint8Array([b]))), iend()]), legal({ width: W, height: H }, 'ok')],
    ['IDATs interrupted by another chunk', png([ihdr, chunk('IDAT', good.subarray(0, 100)), chunk('tEXt', ascii('a\0b')), chunk('IDAT', good.subarray(100)), iend()]), everywhere(maybe(['BAD_INPUT', 'UNKNOWN_COLOURS', 'NOTHING_TO_DO']))],
    ['1 MB of garbage after IEND', concat([grayWith(good), rng.bytes(1024 * 1024)]), legal({ width: W, height: H }, 'maybe')],
    ['unknown critical chunk ABCD', png([ihdr, chunk('ABCD', rng.bytes(16)), chunk('IDAT', good), iend()]), everywhere(maybe(['BAD_INPUT', 'NOTHING_TO_DO']))],
    ['chunk type of NUL bytes', png([ihdr, chunk('\0\0\0\0', rng.bytes(8)), chunk('IDAT', good), iend()]), everywhere(maybe(['BAD_INPUT', 'NOTHING_TO_DO']))],
    ['IEND with data', png([ihdr, chunk('IDAT', good), chunk('IEND', rng.bytes(4))]), everywhere(maybe(['BAD_INPUT', 'NOTHING_TO_DO']))],
  ];
  for (const [what, file, expect] of structure) add('chunk-structure', what, bytes(file), expect, all);

  // zlib streams.
  const rows = grayRows(base.layout.data);
  const stored = zlibStored(rows);
  const withByte = (z: Uint8Array, at: number, value: number): Uint8Array => {
    const c = z.slice();
    c[at < 0 ? c.length + at : at] = value;
    return c;
  };
  const zlibCases: Array<[string, Uint8Array, Partial<Record<Slot, Outcome>>]> = [
    ['zlib header check bits wrong', withByte(stored, 1, 0x00), everywhere(bad())],
    ['zlib preset dictionary flag', withByte(stored, 1, 0x20 | (31 - ((0x78 * 256 + 0x20) % 31))), everywhere(bad())],
    ['zlib compression method 15', withByte(stored, 0, 0x7f), everywhere(bad())],
    ['deflate stream cut in half', stored.subarray(0, stored.length >> 1), everywhere(bad())],
    ['deflate block type 3 (reserved)', concat([stored.subarray(0, 2), new Uint8Array([0x07, 0, 0]), stored.subarray(2)]), everywhere(bad())],
    // NLEN is redundant (the data are intact): zlib refuses the stream, fflate reads it; either is handled.
    ['stored block LEN/NLEN disagree', withByte(stored, 5, (stored[5] as number) ^ 0x55), everywhere(maybe(['BAD_INPUT', 'NOTHING_TO_DO']))],
    ['Adler-32 wrong', withByte(stored, -1, (stored[stored.length - 1] as number) ^ 0xff), everywhere(maybe(['BAD_INPUT', 'NOTHING_TO_DO']))],
    ['inflates to fewer bytes than the header needs', zlibStored(rows.subarray(0, rows.length - 200)), everywhere(bad())],
    ['inflates to 1 KB more than the header needs', zlibStored(concat([rows, new Uint8Array(1024)])), everywhere(maybe(['BAD_INPUT', 'NOTHING_TO_DO']))],
  ];
  for (const [what, z, expect] of zlibCases) add('zlib', what, bytes(grayWith(z)), expect, all);

  // Random damage to good files: any outcome but a crash, a hang or a partial file.
  const sources = [base.layoutRgb, base.layoutIndex, base.image, base.mask, paletteLayout];
  for (let i = 0; i < 90; i++) {
    const src = rng.pick(sources);
    const b = src.slice();
    const flips = rng.int(1, 6);
    for (let k = 0; k < flips; k++) {
      const at = rng.int(8, b.length - 1);
      b[at] = (b[at] as number) ^ rng.int(1, 255);
    }
    add('bit-flips', `${flips} random byte flips`, bytes(b), everywhere(maybe(['BAD_INPUT', 'UNKNOWN_COLOURS', 'BAD_CANVAS_SIZE', 'NOTHING_TO_DO'])));
  }
  for (let i = 0; i < 30; i++) {
    const chunks = readChunks(rng.pick(sources)).map((c) => chunk(c.type, c.data));
    const op = rng.int(0, 2);
    const at = rng.int(0, chunks.length - 1);
    if (op === 0) chunks.splice(at, 1);
    else if (op === 1) chunks.splice(at, 0, chunks[rng.int(0, chunks.length - 1)] as Uint8Array);
    else chunks.splice(at, 1, ...(rng.shuffle([chunks[at] as Uint8Array, chunks[(at + 1) % chunks.length] as Uint8Array])));
    add('chunk-splice', `${['deleted', 'duplicated', 'swapped'][op]} chunk ${at}`, bytes(png(chunks)), everywhere(maybe(['BAD_INPUT', 'UNKNOWN_COLOURS', 'BAD_CANVAS_SIZE', 'NOTHING_TO_DO'])));
  }

  out.push(...reproduceVariants(rng, base));
  return out;
}

/** Adam7 interlacing of an 8-bit gray image, stored. */
function encodeAdam7(data: Uint8Array): Uint8Array {
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;
  const parts: number[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    for (let y = y0; y < H; y += dy) {
      const row: number[] = [];
      for (let x = x0; x < W; x += dx) row.push(data[y * W + x] as number);
      if (row.length > 0) parts.push(0, ...row);
    }
  }
  return png([chunk('IHDR', ihdrData({ width: W, height: H, depth: 8, colourType: 0, interlace: 1 })), chunk('IDAT', zlibStored(Uint8Array.from(parts))), iend()]);
}

/** `generate --reproduce`: result PNGs whose parameters or embedded layout are wrong. */
function reproduceVariants(rng: Rng, base: BaseImages): Variant[] {
  const out: Variant[] = [];
  const text = (pairs: Record<string, string>, image = base.image): Uint8Array => {
    const chunks = readChunks(image).map((c) => chunk(c.type, c.data));
    const extra = Object.entries(pairs).map(([k, v]) => chunk('tEXt', concat([ascii(k), new Uint8Array([0]), ascii(v)])));
    return png([chunks[0] as Uint8Array, ...extra, ...chunks.slice(1)]);
  };
  const json = (record: unknown): string => JSON.stringify(record);
  const params = 'tessera:parameters';
  const layoutKey = 'tessera:layout';
  const goodLayout = toBase64(base.layoutIndex);
  const add = (what: string, file: Uint8Array, outcome: Outcome, extra: Partial<Variant> = {}): void => {
    out.push({ category: 'reproduce-record', what, file: bytes(file), expect: { reproduce: outcome }, fanout: 'one', ...extra });
  };
  const r = base.record;
  const withLayout = (layout: LabelMap): GenerationRecord => ({ ...r, size: { width: layout.width, height: layout.height }, layoutSha256: layoutSha256(layout) });
  add('an image without Tessera parameters', base.image, bad());
  add('parameters that are not JSON', text({ [params]: '{"format": "tessera-generation", ', [layoutKey]: goodLayout }), bad());
  add('parameters of another version', text({ [params]: json({ ...r, version: 2 }), [layoutKey]: goodLayout }), bad());
  add('seed out of range', text({ [params]: json({ ...r, settings: { ...r.settings, seed: 2 ** 33 } }), [layoutKey]: goodLayout }), bad());
  add('top-k negative and an extra field', text({ [params]: json({ ...r, settings: { ...r.settings, topK: -1 }, extra: true }), [layoutKey]: goodLayout }), bad());
  add('backend "cuda"', text({ [params]: json({ ...r, backend: 'cuda' }), [layoutKey]: goodLayout }), bad());
  add('layout is not base64', text({ [params]: json(r), [layoutKey]: '!!!not base64!!!' }), bad());
  add('layout is empty', text({ [params]: json(r), [layoutKey]: '' }), bad());
  add('layout checksum does not match', text({ [params]: json({ ...r, layoutSha256: '0'.repeat(64) }), [layoutKey]: goodLayout }), bad());
  add('embedded layout is an RGB PNG', text({ [params]: json(r), [layoutKey]: toBase64(base.layoutRgb) }), bad());
  const bomb = grayWith(zlibZeros(1536 * 1024 * 1024));
  add('embedded layout is a 1.5 GB inflate bomb', text({ [params]: json(r), [layoutKey]: toBase64(bomb) }), bad(), { timeoutMs: 60_000 });
  const headerBomb = png([chunk('IHDR', ihdrData({ width: 65535, height: 65535, depth: 8, colourType: 0 })), chunk('IDAT', zlibZeros(4096)), iend()]);
  add('embedded layout has a 65535×65535 header', text({ [params]: json(r), [layoutKey]: toBase64(headerBomb) }), bad(['BAD_INPUT', 'BAD_CANVAS_SIZE']));
  const high: LabelMap = { width: W, height: H, data: base.layout.data.map((v, i) => (i % 97 === 0 ? 200 : v)) };
  add('embedded layout with class 200 (checksum right)', text({ [params]: json(withLayout(high)), [layoutKey]: toBase64(encodeIndexPng(high)) }), bad());
  const offGrid: LabelMap = { width: 60, height: 30, data: new Uint8Array(1800) };
  add('embedded layout 60×30, off the grid (checksum right)', text({ [params]: json(withLayout(offGrid)), [layoutKey]: toBase64(encodeIndexPng(offGrid)) }), bad(['BAD_CANVAS_SIZE', 'BAD_INPUT']));
  add('a 1 MB model id in the parameters', text({ [params]: json({ ...r, model: { ...r.model, id: 'm'.repeat(1024 * 1024) } }), [layoutKey]: goodLayout }), { exitCodes: [0, 2], errorCodes: ['BAD_INPUT'] });
  add('model path pointing at /etc, no --model', text({ [params]: json({ ...r, model: { ...r.model, path: '/etc' } }), [layoutKey]: goodLayout }), { exitCodes: [3], errorCodes: ['MODEL_INVALID', 'MODEL_NOT_FOUND'] }, { noModel: true });
  add('model path with ../ escapes, no --model', text({ [params]: json({ ...r, model: { ...r.model, path: '../../../../../../tmp/nothing-here' } }), [layoutKey]: goodLayout }), { exitCodes: [3], errorCodes: ['MODEL_INVALID', 'MODEL_NOT_FOUND'] }, { noModel: true });
  add('parameters twice, second one wrong', text({ [params]: json(r), [layoutKey]: goodLayout, 'tessera:parameters ': 'x' }), { exitCodes: [0, 2], errorCodes: ['BAD_INPUT'] });
  for (let i = 0; i < 6; i++) {
    const rec = JSON.parse(json(r)) as Record<string, unknown>;
    const keys = Object.keys(rec);
    const key = keys[rng.int(0, keys.length - 1)] as string;
    rec[key] = rng.pick([null, 7, 'x', [], {}, true, -1]);
    add(`parameters.${key} replaced by ${JSON.stringify(rec[key])}`, text({ [params]: json(rec), [layoutKey]: goodLayout }), bad());
  }
  return out;
}

/** Arguments of each command, with the fuzzed file at `@in`. */
function argsFor(slot: Slot, noModel: boolean): string[] {
  const model = noModel ? [] : ['--model', FIXTURE_DIR];
  const common = [...model, '--backend', 'cpu', '--seed', '1'];
  switch (slot) {
    case 'layout':
      return ['generate', '--layout', '@in', ...common, '--out', '@out'];
    case 'reproduce':
      return ['generate', '--reproduce', '@in', ...model, '--backend', 'cpu', '--out', '@out'];
    case 'image':
      return ['inpaint', '--image', '@in', '--mask', '@mask', '--layout', '@layout', ...common, '--out', '@out'];
    case 'mask':
      return ['inpaint', '--image', '@image', '--mask', '@in', '--layout', '@layout', ...common, '--out', '@out'];
    case 'ilayout':
      return ['inpaint', '--image', '@image', '--mask', '@mask', '--layout', '@in', ...common, '--out', '@out'];
    case 'batch':
      return ['batch', '--layouts', '@layouts', '--seeds', '1', ...model, '--backend', 'cpu', '--out', '@outdir'];
  }
}

function filesFor(slot: Slot, input: InputFile, base: BaseImages): Record<string, InputFile> {
  const files: Record<string, InputFile> = {};
  if (slot === 'batch') files.layouts = { kind: 'folder', entries: { 'layout.png': input } };
  else files.in = input;
  if (slot === 'image' || slot === 'mask' || slot === 'ilayout') {
    files.image = bytes(base.image);
    files.mask = bytes(base.mask);
    files.layout = bytes(base.layoutRgb);
  }
  return files;
}

/** The PNG door's cases, plus the batch-specific ones (--layouts naming folders and globs). */
export function pngCases(rng: Rng): CliCase[] {
  const base = baseImages();
  const cases: CliCase[] = [];
  const rotation = new Map<string, number>();
  for (const v of variants(rng, base)) {
    const slots = SLOTS.filter((s) => v.expect[s] !== undefined);
    let chosen: Slot[];
    if (v.fanout === 'all') chosen = slots;
    else {
      const turn = rotation.get(v.category) ?? rng.int(0, 5);
      rotation.set(v.category, turn + 1);
      chosen = [slots[turn % slots.length] as Slot];
    }
    for (const slot of chosen) {
      const outcome = v.expect[slot] as Outcome;
      const expect: CliExpect = { ...outcome, maxRssMb: v.maxRssMb ?? PNG_MAX_RSS_MB, timeoutMs: v.timeoutMs ?? PNG_TIMEOUT_MS, maxOutputBytes: MAX_OUTPUT_BYTES };
      cases.push({ door: 'png', id: '', category: v.category, what: `${slot}: ${v.what}`, args: argsFor(slot, v.noModel === true), files: filesFor(slot, v.file, base), expect });
    }
  }
  const batchArgs = (layouts: string): string[] => ['batch', '--layouts', layouts, '--seeds', '1', '--model', FIXTURE_DIR, '--backend', 'cpu', '--out', '@outdir'];
  const expect: CliExpect = { exitCodes: [2], errorCodes: ['BAD_INPUT'], maxRssMb: PNG_MAX_RSS_MB, timeoutMs: PNG_TIMEOUT_MS, maxOutputBytes: MAX_OUTPUT_BYTES };
  const batch = (what: string, args: string[], files: Record<string, InputFile>): void => {
    cases.push({ door: 'png', id: '', category: 'batch-layouts', what: `batch: ${what}`, args, files, expect });
  };
  batch('--layouts names a missing folder', batchArgs('@nothing/'), { nothing: { kind: 'missing' } });
  batch('--layouts glob matching nothing', batchArgs('@dir/*.png'), { dir: { kind: 'folder', entries: { 'notes.txt': bytes(ascii('x')) } } });
  batch('--layouts wildcard in the folder part', batchArgs('@dir/*/x.png'), { dir: { kind: 'folder', entries: {} } });
  batch('a folder named like a PNG inside --layouts', batchArgs('@dir'), { dir: { kind: 'folder', entries: { 'a.png': { kind: 'directory' } } } });
  cases.push({
    door: 'png',
    id: '',
    category: 'batch-layouts',
    what: 'batch: one good and one bad layout',
    args: batchArgs('@dir'),
    files: { dir: { kind: 'folder', entries: { 'a.png': bytes(base.layoutRgb), 'b.png': bytes(base.image) } } },
    expect: { ...expect, errorCodes: ['BAD_INPUT', 'UNKNOWN_COLOURS'] },
  });
  batch('a folder without PNGs', batchArgs('@dir'), { dir: { kind: 'folder', entries: {} } });
  return cases;
}
