/**
 * PNG surgery for the corpus: chunks with right or wrong CRCs, IHDRs for any width, height, depth
 * and colour type, and zlib streams built by hand so they are the same bytes on every machine
 * (node:zlib's output may change with its version). Two deflate encoders are enough:
 *   - stored blocks (no compression) for real pixel rows, and
 *   - a run of N zero bytes in about N/1032 bytes (a dynamic-Huffman block whose match code
 *     "length 258, distance 1" is a single 0 bit): the decompression bomb, and also a cheap way to
 *     write large but valid all-zero images.
 */
import { crc32 } from 'node:zlib';

export const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0);
  return b;
}

/** Latin-1 bytes of a string (one byte per character, as PNG text and HTTP heads are). */
export function ascii(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

/** CRC-32 of a chunk's type and data, as PNG stores it. */
export function chunkCrc(type: string, data: Uint8Array): number {
  return crc32(data, crc32(ascii(type)));
}

/** One chunk; `crc` overrides the correct CRC (a corrupted chunk), `length` the length field. */
export function chunk(type: string, data: Uint8Array, options: { crc?: number; length?: number } = {}): Uint8Array {
  return concat([u32(options.length ?? data.length), ascii(type), data, u32(options.crc ?? chunkCrc(type, data))]);
}

export interface Ihdr {
  width: number;
  height: number;
  depth: number;
  colourType: number;
  compression?: number;
  filter?: number;
  interlace?: number;
}

export function ihdrData(h: Ihdr): Uint8Array {
  return concat([u32(h.width), u32(h.height), new Uint8Array([h.depth, h.colourType, h.compression ?? 0, h.filter ?? 0, h.interlace ?? 0])]);
}

export function png(chunks: readonly Uint8Array[]): Uint8Array {
  return concat([PNG_SIGNATURE, ...chunks]);
}

/** Splits a PNG into its chunks (type, data, offset of the chunk's length field). */
export function readChunks(bytes: Uint8Array): Array<{ type: string; data: Uint8Array; offset: number }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Array<{ type: string; data: Uint8Array; offset: number }> = [];
  let at = 8;
  while (at + 12 <= bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    out.push({ type, data: bytes.slice(at + 8, at + 8 + length), offset: at });
    at += 12 + length;
  }
  return out;
}

export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; i++) {
    a = (a + (data[i] as number)) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Adler-32 of `n` zero bytes without touching them: a stays 1, b grows by 1 per byte. */
function adler32OfZeros(n: number): number {
  return (((n % 65521) << 16) | 1) >>> 0;
}

/** zlib stream of `data` in stored (uncompressed) deflate blocks. */
export function zlibStored(data: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array([0x78, 0x01])];
  let at = 0;
  do {
    const n = Math.min(65535, data.length - at);
    const last = at + n >= data.length;
    parts.push(new Uint8Array([last ? 1 : 0, n & 0xff, n >> 8, ~n & 0xff, (~n >> 8) & 0xff]), data.subarray(at, at + n));
    at += n;
  } while (at < data.length);
  parts.push(u32(adler32(data)));
  return concat(parts);
}

/** LSB-first bit writer over a zero-filled buffer (deflate's bit order). */
class BitWriter {
  bit = 0;
  constructor(readonly out: Uint8Array) {}

  bits(value: number, n: number): void {
    for (let i = 0; i < n; i++, this.bit++) if ((value >> i) & 1) this.out[this.bit >> 3] = (this.out[this.bit >> 3] as number) | (1 << (this.bit & 7));
  }

  /** A Huffman code: most significant bit first. */
  code(value: number, n: number): void {
    for (let i = n - 1; i >= 0; i--, this.bit++) if ((value >> i) & 1) this.out[this.bit >> 3] = (this.out[this.bit >> 3] as number) | (1 << (this.bit & 7));
  }
}

/**
 * zlib stream inflating to `n` zero bytes (n ≥ 1). One final dynamic-Huffman block whose
 * literal/length code has three symbols — literal 0 = `10`, end = `11`, length 258 = `0` — and
 * whose distance code gives distance 1 the code `0`: after one literal 0, every further 258 zeros
 * cost two 0 bits, which the zero-filled buffer already holds.
 */
export function zlibZeros(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError('zlibZeros needs n ≥ 1');
  const matches = Math.floor((n - 1) / 258);
  const tail = (n - 1) % 258;
  const bodyBits = 3 + 14 + 18 * 3 + 64 + 2 + 2 * matches + 2 * tail + 2;
  const w = new BitWriter(new Uint8Array(Math.ceil(bodyBits / 8) + 1));
  w.bits(1, 1); // BFINAL
  w.bits(2, 2); // BTYPE = dynamic Huffman
  w.bits(286 - 257, 5); // HLIT: symbols 0..285
  w.bits(2 - 1, 5); // HDIST: distance codes 0..1
  w.bits(18 - 4, 4); // HCLEN: code-length codes up to the one for length 1
  // Code-length code lengths in RFC 1951's order 16,17,18,0,8,7,9,6,10,5,11,4,12,3,13,2,14,1.
  const order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1];
  const clLengths: Record<number, number> = { 18: 1, 2: 2, 1: 2 };
  for (const sym of order) w.bits(clLengths[sym] ?? 0, 3);
  // Canonical codes of that alphabet: 18 → 0, 1 → 10, 2 → 11.
  const len2 = (): void => w.code(0b11, 2);
  const len1 = (): void => w.code(0b10, 2);
  const zeros = (count: number): void => {
    w.code(0, 1);
    w.bits(count - 11, 7);
  };
  len2(); // literal 0
  zeros(138);
  zeros(117); // literals 1..255 unused
  len2(); // 256: end of block
  zeros(28); // lengths 257..284 unused
  len1(); // 285: length 258
  len1();
  len1(); // distances 0 and 1
  w.code(0b10, 2); // literal 0
  w.bit += 2 * matches; // (length 258 = 0, distance 1 = 0) per match: already zero bits
  for (let i = 0; i < tail; i++) w.code(0b10, 2);
  w.code(0b11, 2); // end of block
  const deflate = w.out.subarray(0, Math.ceil(w.bit / 8));
  return concat([new Uint8Array([0x78, 0x01]), deflate, u32(adler32OfZeros(n))]);
}

/** Bytes per scanline (without the filter byte) for a width, channel count and bit depth. */
export function rowBytes(width: number, channels: number, depth: number): number {
  return Math.ceil((width * channels * depth) / 8);
}

export function channelsOf(colourType: number): number {
  return ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colourType] ?? 1;
}

/**
 * A PNG from raw sample bytes (already packed for the depth), every row with filter 0, stored.
 * `extra` chunks go between IHDR and IDAT (PLTE, tRNS, text...).
 */
export function rawPng(h: Ihdr, rows: (y: number) => Uint8Array, extra: readonly Uint8Array[] = []): Uint8Array {
  const perRow = rowBytes(h.width, channelsOf(h.colourType), h.depth);
  const raw = new Uint8Array((perRow + 1) * h.height);
  for (let y = 0; y < h.height; y++) raw.set(rows(y).subarray(0, perRow), y * (perRow + 1) + 1);
  return png([chunk('IHDR', ihdrData(h)), ...extra, chunk('IDAT', zlibStored(raw)), chunk('IEND', new Uint8Array(0))]);
}
