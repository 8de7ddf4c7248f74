/**
 * Every PNG a user hands Tessera goes through here before anything its size costs is allocated.
 * `inspectPng` reads the header and walks the chunks of bytes already in memory; the only work that
 * grows with the image is CRC-32 over the file and a streaming inflate of the image data into a
 * fixed window (a few MB at most), which stops as soon as the data is longer than the header allows.
 * `decodePngSafely` runs the guard and then fast-png, so a call site changes by one line.
 *
 * What is refused, and why (libpng's behaviour is the reference):
 * - not a PNG signature; a signature damaged by a text-mode transfer; a file that ends before IEND;
 *   a chunk whose length runs past the end; a chunk type that is not four letters.
 * - IHDR not first, not 13 bytes, twice; a 0 px side; a size over `limits` (BAD_CANVAS_SIZE);
 *   bit depth / colour type combinations the spec forbids; compression or filter method ≠ 0;
 *   interlace method other than 0 (none) and 1 (Adam7).
 * - a CRC mismatch on a critical chunk (IHDR, PLTE, IDAT, IEND), naming the chunk, as libpng does.
 *   An ancillary chunk with a wrong CRC is dropped instead, also as libpng does: no chunk Tessera
 *   reads can be believed once damaged, but refusing would turn away files every other program
 *   opens over a damaged timestamp or comment. Dropped means never parsed: a damaged `tEXt`
 *   carrying `--reproduce` parameters reads as "no parameters", never as other parameters.
 * - unknown critical chunks; PLTE twice, after the image data, empty, over 256 entries or not a
 *   multiple of 3; an indexed image without PLTE; no IDAT; IDAT interrupted by another chunk; IEND
 *   with data.
 * - image data that inflates to more or fewer bytes than the header needs (filter bytes included),
 *   or does not inflate: fast-png would inflate *all* of it and concatenate (a 2 KB IDAT can
 *   inflate to 2 GB), and decode a short stream into garbage rows.
 * - zTXt/iTXt text that inflates past PNG_TEXT_LIMIT in all (4 MB; libpng's own cap on a chunk is
 *   8 MB), more than PNG_MAX_ANCILLARY_CHUNKS ancillary chunks (libpng's default cache limit is
 *   1000), an ancillary chunk over PNG_MAX_ANCILLARY_BYTES, or more than PNG_MAX_CHUNKS chunks.
 * iCCP profiles are not inflated: Tessera never uses them, and decodePngSafely removes them before
 * fast-png (which inflates a profile with no limit at all).
 * Not checked: the zlib Adler-32 (fast-png does not either; the chunk CRCs catch transfer damage).
 */
import { decode, type DecodedPng } from 'fast-png';
import { Unzlib } from 'fflate';
import { TesseraError } from './errors.ts';
import { DEFAULT_MAX_CANVAS, type PixelSize } from './grid.ts';

export interface PngLimits {
  maxWidth: number;
  maxHeight: number;
  /** How messages name the file: "the layout big.png", "the mask". */
  what: string;
  /** Appended to the over-the-limit message, e.g. "or raise --max-size". */
  advice?: string;
}

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 gray, 2 RGB, 3 indexed, 4 gray+alpha, 6 RGBA. */
  colorType: number;
  interlaced: boolean;
}

/** Limits of `max` pixels (default: the default canvas limit) for a file named `what`. */
export function pngLimits(what: string, max: PixelSize = DEFAULT_MAX_CANVAS, advice?: string): PngLimits {
  return advice === undefined ? { maxWidth: max.width, maxHeight: max.height, what } : { maxWidth: max.width, maxHeight: max.height, what, advice };
}

/** All inflated zTXt/iTXt text of one file together. */
export const PNG_TEXT_LIMIT = 4 * 1024 * 1024;
/** Ancillary chunks (everything but IHDR, PLTE, IDAT, IEND) of one file. */
export const PNG_MAX_ANCILLARY_CHUNKS = 1000;
/** One ancillary chunk's data. */
export const PNG_MAX_ANCILLARY_BYTES = 8 * 1024 * 1024;
/** All chunks, IDAT included. */
export const PNG_MAX_CHUNKS = 1 << 18;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
/** Bit depths allowed per colour type (PNG spec, table 11.1). */
const DEPTHS: Record<number, readonly number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const COLOUR_NAMES: Record<number, string> = { 0: 'grayscale', 2: 'RGB', 3: 'indexed colour', 4: 'gray+alpha', 6: 'RGBA' };
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;
/** Compressed bytes per inflate push: bounds what one push can produce to ~1032× this. */
const INFLATE_SLICE = 8 * 1024;
/** decodePngSafely hands fast-png one IDAT when there are more: fast-png's cost per IDAT is a 32 KB copy. */
const MERGE_IDATS_OVER = 8;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function u32(bytes: Uint8Array, at: number): number {
  return (((bytes[at] as number) << 24) | ((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number)) >>> 0;
}

function isLetter(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

function mb(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/** Raw bytes the image data must inflate to: every row with its filter byte, per Adam7 pass if interlaced. */
export function pngRawSize(header: PngHeader): number {
  const channels = CHANNELS[header.colorType] ?? 1;
  const rowBytes = (w: number): number => Math.ceil((w * channels * header.bitDepth) / 8);
  if (!header.interlaced) return header.height * (1 + rowBytes(header.width));
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const w = Math.ceil((header.width - x0) / dx);
    const h = Math.ceil((header.height - y0) / dy);
    if (w > 0 && h > 0) total += h * (1 + rowBytes(w));
  }
  return total;
}

/** The largest size within the limit with the same proportions, in multiples of 16 px. */
function suggestion(width: number, height: number, limits: PngLimits): string {
  const scale = Math.min(limits.maxWidth / width, limits.maxHeight / height);
  const fit = (v: number, max: number): number => Math.min(Math.max(16, Math.floor((v * scale) / 16) * 16), max);
  return `${fit(width, limits.maxWidth)}×${fit(height, limits.maxHeight)}`;
}

interface Scan {
  header: PngHeader;
  /** [start, end) of chunks to leave out of what fast-png sees (bad-CRC ancillary chunks, iCCP). */
  drop: Array<[number, number]>;
  /** [start, end) of each IDAT chunk's data. */
  idat: Array<[number, number]>;
  /** Offset just past IEND. */
  end: number;
}

class PngScanner {
  constructor(
    private readonly bytes: Uint8Array,
    private readonly limits: PngLimits,
  ) {}

  private corrupt(why: string, fix = 're-export it'): TesseraError {
    return new TesseraError('BAD_INPUT', `${this.limits.what} is corrupt: ${why}; ${fix}.`);
  }

  private truncated(why: string): TesseraError {
    return new TesseraError('BAD_INPUT', `${this.limits.what} is truncated: ${why} (the download, copy or export did not finish); get or export the file again.`);
  }

  scan(): Scan {
    const { bytes, limits } = this;
    this.checkSignature();
    let at: number = SIGNATURE.length;
    let header: PngHeader | null = null;
    let chunks = 0;
    let ancillary = 0;
    let seenPalette = false;
    let idatRunEnded = false;
    const drop: Array<[number, number]> = [];
    const idat: Array<[number, number]> = [];
    const text: Array<{ type: 'zTXt' | 'iTXt'; start: number; end: number }> = [];
    for (;;) {
      if (at + 8 > bytes.length) throw this.truncated(header === null ? 'it ends before its IHDR header chunk' : idat.length === 0 ? 'it ends before its image data' : 'it ends before its IEND chunk');
      const length = u32(bytes, at);
      const typeBytes = bytes.subarray(at + 4, at + 8);
      if (!typeBytes.every(isLetter)) throw this.corrupt(`the chunk at byte ${at} has no valid type (its 4 type bytes are not letters)`);
      const type = String.fromCharCode(...typeBytes);
      if (length > 0x7fffffff) throw this.corrupt(`its ${type} chunk claims ${length} bytes, more than a PNG chunk can hold`);
      const start = at + 8;
      const end = start + length;
      if (end + 4 > bytes.length) throw this.truncated(`its ${type} chunk is ${length} bytes long but the file ends ${Math.max(0, bytes.length - start)} bytes into it`);
      if (++chunks > PNG_MAX_CHUNKS) throw this.corrupt(`it has more than ${PNG_MAX_CHUNKS} chunks`);
      if (header === null && type !== 'IHDR') throw this.corrupt(`its first chunk is ${type}, not the IHDR header`);
      const critical = (typeBytes[0] as number) < 0x61;
      const next = end + 4;
      if (crc32(bytes, at + 4, end) !== u32(bytes, end)) {
        if (critical) throw this.corrupt(`the ${type} chunk's CRC does not match (the file was damaged in transfer?)`);
        // libpng: an ancillary chunk with a bad CRC is discarded, never parsed.
        drop.push([at, next]);
        if (idat.length > 0) idatRunEnded = true;
        at = next;
        continue;
      }
      if (!critical) {
        if (++ancillary > PNG_MAX_ANCILLARY_CHUNKS) throw this.corrupt(`it has more than ${PNG_MAX_ANCILLARY_CHUNKS} metadata chunks`, 're-export it without the extra metadata');
        if (length > PNG_MAX_ANCILLARY_BYTES) throw this.corrupt(`its ${type} metadata chunk is ${mb(length)}, over the ${mb(PNG_MAX_ANCILLARY_BYTES)} limit`, 're-export it without that metadata');
      }
      if (type !== 'IDAT' && idat.length > 0) idatRunEnded = true;
      switch (type) {
        case 'IHDR':
          if (header !== null) throw this.corrupt('it has two IHDR header chunks');
          header = this.readHeader(start, length);
          break;
        case 'PLTE':
          if (seenPalette) throw this.corrupt('it has two PLTE palette chunks');
          if (idat.length > 0) throw this.corrupt('its PLTE palette comes after the image data');
          if (length === 0 || length % 3 !== 0 || length > 256 * 3) throw this.corrupt(`its PLTE palette is ${length} bytes long (it must hold 1 to 256 RGB entries, 3 bytes each)`);
          seenPalette = true;
          break;
        case 'IDAT':
          if (idatRunEnded) throw this.corrupt('its image data (IDAT chunks) is split by other chunks');
          if ((header as PngHeader).colorType === 3 && !seenPalette) throw this.corrupt('it is an indexed-colour image without a PLTE palette');
          idat.push([start, end]);
          break;
        case 'IEND':
          if (length !== 0) throw this.corrupt(`its IEND chunk holds ${length} bytes of data (it must be empty)`);
          if (idat.length === 0) throw this.corrupt('it has no image data (no IDAT chunk)');
          return this.finish({ header: header as PngHeader, drop, idat, end: next }, text);
        case 'zTXt':
        case 'iTXt':
          text.push({ type, start, end });
          break;
        case 'iCCP':
          drop.push([at, next]);
          break;
        default:
          if (critical) throw new TesseraError('BAD_INPUT', `${limits.what} has a critical chunk "${type}" that Tessera cannot read (a non-standard PNG variant): export it as a plain PNG.`);
      }
      at = next;
    }
  }

  /** Signature and IHDR only: what `readPngHeader` answers. */
  header(): PngHeader {
    const { bytes } = this;
    this.checkSignature();
    const at = SIGNATURE.length;
    if (at + 8 > bytes.length) throw this.truncated('it ends before its IHDR header chunk');
    const length = u32(bytes, at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (type !== 'IHDR') throw this.corrupt(`its first chunk is not the IHDR header`);
    if (length !== 13) throw this.corrupt(`its IHDR header chunk is ${length} bytes long instead of 13`);
    if (at + 8 + length + 4 > bytes.length) throw this.truncated('it ends inside its IHDR header chunk');
    if (crc32(bytes, at + 4, at + 8 + length) !== u32(bytes, at + 8 + length)) throw this.corrupt(`the IHDR chunk's CRC does not match (the file was damaged in transfer?)`);
    return this.readHeader(at + 8, length);
  }

  private checkSignature(): void {
    const { bytes, limits } = this;
    if (bytes.length >= SIGNATURE.length && SIGNATURE.every((b, i) => bytes[i] === b)) return;
    if (bytes.length > 0 && bytes.length < SIGNATURE.length && bytes.every((b, i) => b === SIGNATURE[i])) throw this.truncated('it ends inside its PNG signature');
    // "\x89PNG" then line endings that are not \r\n\x1a\n: converted by a text-mode (FTP ASCII) transfer.
    if (bytes.length >= 4 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
      throw new TesseraError('BAD_INPUT', `${limits.what} is corrupt: its PNG signature was altered, as a text-mode transfer does to line endings; transfer or export it again in binary mode.`);
    }
    throw new TesseraError('BAD_INPUT', `${limits.what} is not a readable PNG (it does not start with the PNG signature): save or export it as a PNG.`);
  }

  private readHeader(start: number, length: number): PngHeader {
    const { bytes, limits } = this;
    if (length !== 13) throw this.corrupt(`its IHDR header chunk is ${length} bytes long instead of 13`);
    const width = u32(bytes, start);
    const height = u32(bytes, start + 4);
    const [bitDepth, colorType, compression, filter, interlace] = [8, 9, 10, 11, 12].map((i) => bytes[start + i] as number) as [number, number, number, number, number];
    if (width === 0 || height === 0) throw this.corrupt(`its header says it is ${width}×${height} px, and an image needs at least 1×1 px`);
    if (width > 0x7fffffff || height > 0x7fffffff) throw this.corrupt(`its header says it is ${width}×${height} px, more than a PNG can be`);
    const depths = DEPTHS[colorType];
    if (!depths) throw this.corrupt(`its colour type ${colorType} does not exist (PNG has 0, 2, 3, 4 and 6)`);
    if (!depths.includes(bitDepth)) throw this.corrupt(`${bitDepth}-bit samples are not allowed with colour type ${colorType} (${COLOUR_NAMES[colorType]}: ${depths.join(', ')} bits)`);
    if (compression !== 0) throw this.corrupt(`its compression method ${compression} does not exist (PNG has only 0, deflate)`);
    if (filter !== 0) throw this.corrupt(`its filter method ${filter} does not exist (PNG has only 0)`);
    if (interlace !== 0 && interlace !== 1) throw this.corrupt(`its interlace method ${interlace} does not exist (PNG has 0, none, and 1, Adam7)`);
    if (width > limits.maxWidth || height > limits.maxHeight) {
      throw new TesseraError(
        'BAD_CANVAS_SIZE',
        `${limits.what} is ${width}×${height} px, over the ${limits.maxWidth}×${limits.maxHeight} px limit: scale it down to fit (${suggestion(width, height, limits)} px keeps its proportions, in multiples of 16 px)${limits.advice ? `, ${limits.advice}` : ''}.`,
        { width, height, maxWidth: limits.maxWidth, maxHeight: limits.maxHeight },
      );
    }
    return { width, height, bitDepth, colorType, interlaced: interlace === 1 };
  }

  private finish(scan: Scan, text: Array<{ type: 'zTXt' | 'iTXt'; start: number; end: number }>): Scan {
    const { bytes } = this;
    const { header } = scan;
    const raw = pngRawSize(header);
    const compressed = scan.idat.reduce((sum, [s, e]) => sum + e - s, 0);
    // Deflate can expand incompressible data by 5 bytes per 64 KB stored block, plus the zlib frame.
    const bound = raw + Math.ceil(raw / 16384) * 5 + 1024;
    const size = `${header.width}×${header.height}`;
    if (compressed > bound) throw this.corrupt(`it holds ${compressed} bytes of compressed image data, more than a ${size} px image can need (${bound} bytes)`);
    const got = this.inflate(
      scan.idat.map(([s, e]) => bytes.subarray(s, e)),
      raw,
      () => this.corrupt(`its image data inflates to more than the ${raw} bytes a ${size} px image needs (a decompression bomb, or a damaged file)`),
      (why) => this.corrupt(`its image data cannot be decompressed (${why})`),
    );
    if (got < raw) throw this.truncated(`its image data holds ${got} of the ${raw} bytes a ${size} px image needs`);
    let budget = PNG_TEXT_LIMIT;
    for (const t of text) budget -= this.inflateText(t.type, t.start, t.end, budget);
    return scan;
  }

  /** Inflates `pieces` as one zlib stream without keeping the output; returns its length, at most `cap`. */
  private inflate(pieces: Uint8Array[], cap: number, tooLong: () => TesseraError, bad: (why: string) => TesseraError): number {
    let total = 0;
    const inflater = new Unzlib((chunk) => {
      total += chunk.length;
    });
    // Small chunks are gathered (fflate's cost per push is a 32 KB window copy); large ones sliced
    // (one push inflates all it is given, up to ~1032× its size, before we can look).
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const push = (data: Uint8Array, final: boolean): void => {
      inflater.push(data, final);
      if (total > cap) throw tooLong();
    };
    const flush = (): void => {
      if (pendingBytes === 0) return;
      const joined = new Uint8Array(pendingBytes);
      let o = 0;
      for (const p of pending) joined.set(p, (o += p.length) - p.length);
      pending = [];
      pendingBytes = 0;
      push(joined, false);
    };
    try {
      for (const piece of pieces) {
        for (let i = 0; i < piece.length; i += INFLATE_SLICE) {
          const part = piece.subarray(i, i + INFLATE_SLICE);
          pending.push(part);
          pendingBytes += part.length;
          if (pendingBytes >= INFLATE_SLICE) flush();
        }
      }
      flush();
      push(new Uint8Array(0), true);
    } catch (error) {
      if (error instanceof TesseraError) throw error;
      throw bad(error instanceof Error ? error.message : String(error));
    }
    return total;
  }

  /** Checks a zTXt/iTXt chunk's layout and inflates its text within `budget`; returns the inflated length. */
  private inflateText(type: 'zTXt' | 'iTXt', start: number, end: number, budget: number): number {
    const { bytes } = this;
    const nul = (from: number): number => {
      const i = bytes.subarray(from, end).indexOf(0);
      return i < 0 ? -1 : from + i;
    };
    const keyEnd = nul(start);
    if (keyEnd - start < 1 || keyEnd - start > 79) throw this.corrupt(`its ${type} text chunk has no valid keyword`);
    let data: number;
    if (type === 'zTXt') {
      if (keyEnd + 1 >= end || bytes[keyEnd + 1] !== 0) throw this.corrupt(`its ${type} text chunk has an unknown compression method`);
      data = keyEnd + 2;
    } else {
      const flag = bytes[keyEnd + 1];
      const method = bytes[keyEnd + 2];
      const langEnd = keyEnd + 3 <= end ? nul(keyEnd + 3) : -1;
      const translatedEnd = langEnd < 0 ? -1 : nul(langEnd + 1);
      if (translatedEnd < 0 || (flag !== 0 && flag !== 1) || method !== 0) throw this.corrupt(`its ${type} text chunk is malformed`);
      if (flag === 0) return 0;
      data = translatedEnd + 1;
    }
    return this.inflate(
      [bytes.subarray(data, end)],
      budget,
      () => this.corrupt(`its ${type} text inflates to more than ${mb(PNG_TEXT_LIMIT)} of text in all (a decompression bomb?)`, 're-export it without that metadata'),
      (why) => this.corrupt(`its ${type} text chunk cannot be decompressed (${why})`, 're-export it without that metadata'),
    );
  }
}

function scanPng(bytes: Uint8Array, limits: PngLimits): Scan {
  try {
    return new PngScanner(bytes, limits).scan();
  } catch (error) {
    if (error instanceof TesseraError) throw error;
    throw new TesseraError('BAD_INPUT', `${limits.what} is not a readable PNG (${error instanceof Error ? error.message : String(error)}).`);
  }
}

/**
 * Checks a PNG's structure, size and data from its bytes without decoding it: throws a TesseraError
 * (BAD_CANVAS_SIZE over `limits`, BAD_INPUT for anything else) that says what to do.
 */
export function inspectPng(bytes: Uint8Array, limits: PngLimits): PngHeader {
  return scanPng(bytes, limits).header;
}

/**
 * The header alone (signature and IHDR, CRC checked, fields valid), with no size limit and without
 * looking further: to choose the limits for `inspectPng` by what kind of PNG it is.
 */
export function readPngHeader(bytes: Uint8Array, what: string): PngHeader {
  try {
    return new PngScanner(bytes, { maxWidth: Infinity, maxHeight: Infinity, what }).header();
  } catch (error) {
    if (error instanceof TesseraError) throw error;
    throw new TesseraError('BAD_INPUT', `${what} is not a readable PNG (${error instanceof Error ? error.message : String(error)}).`);
  }
}

function chunkBytes(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

/** The file as fast-png should see it: dropped chunks left out, many IDATs merged into one. */
function cleaned(bytes: Uint8Array, scan: Scan): Uint8Array {
  const merge = scan.idat.length > MERGE_IDATS_OVER;
  if (scan.drop.length === 0 && !merge) return bytes;
  const parts: Uint8Array[] = [bytes.subarray(0, SIGNATURE.length)];
  const dropped = new Set(scan.drop.map(([s]) => s));
  const firstIdat = (scan.idat[0] as [number, number])[0] - 8;
  for (let at: number = SIGNATURE.length; at < scan.end; ) {
    const next = at + 12 + u32(bytes, at);
    const isIdat = bytes[at + 4] === 0x49 && bytes[at + 5] === 0x44 && bytes[at + 6] === 0x41 && bytes[at + 7] === 0x54;
    if (merge && isIdat) {
      if (at === firstIdat) {
        const data = new Uint8Array(scan.idat.reduce((sum, [s, e]) => sum + e - s, 0));
        let o = 0;
        for (const [s, e] of scan.idat) data.set(bytes.subarray(s, e), (o += e - s) - (e - s));
        parts.push(chunkBytes('IDAT', data));
      }
    } else if (!dropped.has(at)) parts.push(bytes.subarray(at, next));
    at = next;
  }
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
}

/**
 * `inspectPng`, then fast-png's decode (CRCs checked) of what passed: the one way Tessera decodes a
 * PNG it did not just write itself. fast-png's own failures become BAD_INPUT too.
 */
export function decodePngSafely(bytes: Uint8Array, limits: PngLimits): DecodedPng {
  const scan = scanPng(bytes, limits);
  const { header } = scan;
  // fast-png 8 lays out Adam7 passes as whole bytes per sample: 1-, 2- and 4-bit interlaced images decode wrong.
  if (header.interlaced && header.bitDepth < 8) {
    throw new TesseraError('BAD_INPUT', `${limits.what} is an interlaced PNG with ${header.bitDepth}-bit samples, which Tessera cannot read: save it without interlacing (or with 8-bit samples).`);
  }
  let png: DecodedPng;
  try {
    png = decode(cleaned(bytes, scan), { checkCrc: true });
  } catch (error) {
    throw new TesseraError('BAD_INPUT', `${limits.what} is not a readable PNG (${error instanceof Error ? error.message : String(error)}); re-export it.`);
  }
  // A PLTE in a gray or RGB(A) image is only a suggestion for viewers (or misplaced): the pixels are not indices.
  if (header.colorType !== 3) delete png.palette;
  return png;
}
