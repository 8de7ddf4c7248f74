/**
 * The PNG guard on real bytes: valid PNGs of every colour type and bit depth still decode exactly
 * as fast-png decodes them, and each kind of damage, bomb or over-limit size is refused with a
 * TesseraError that says what to do, before fast-png's decode runs at all.
 */
import { crc32, deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { decode, encode } from 'fast-png';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { TesseraError } from './errors.ts';
import { decodeLabelPng } from './labelmap.ts';
import { decodePngSafely, inspectPng, PNG_MAX_ANCILLARY_CHUNKS, pngLimits, pngRawSize, readPngHeader, type PngLimits } from './png-guard.ts';

// fast-png as it is, with decode counted: "refused before decoding" means this was never called.
vi.mock('fast-png', async (importOriginal) => {
  const actual = await importOriginal<typeof import('fast-png')>();
  return { ...actual, decode: vi.fn(actual.decode) };
});
const decodeSpy = vi.mocked(decode);
beforeEach(() => {
  decodeSpy.mockClear();
});

const LIMITS: PngLimits = { maxWidth: 2048, maxHeight: 2048, what: 'layout.png' };
const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function chunk(type: string, data: Uint8Array = new Uint8Array(0), crc?: number): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(ascii(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc ?? crc32(out.subarray(4, 8 + data.length)));
  return out;
}

interface Ihdr {
  width: number;
  height: number;
  depth: number;
  colourType: number;
  compression?: number;
  filter?: number;
  interlace?: number;
}

function ihdr(h: Ihdr): Uint8Array {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, h.width);
  view.setUint32(4, h.height);
  data.set([h.depth, h.colourType, h.compression ?? 0, h.filter ?? 0, h.interlace ?? 0], 8);
  return chunk('IHDR', data);
}

const png = (chunks: Uint8Array[]): Uint8Array => concat([SIGNATURE, ...chunks]);
const iend = (): Uint8Array => chunk('IEND');
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Filtered rows (filter byte 0) for `h`, with pseudo-random samples, as the raw stream IDAT holds. */
function rawRows(h: Ihdr, seed = 1): Uint8Array {
  const header = { width: h.width, height: h.height, bitDepth: h.depth, colorType: h.colourType, interlaced: h.interlace === 1 };
  const raw = new Uint8Array(pngRawSize(header));
  let s = seed;
  for (let i = 0; i < raw.length; i++) raw[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
  // Filter byte 0 at the start of every row (of every pass when interlaced). fast-png does not check
  // palette indices against the palette, so random ones decode the same either way.
  const channels = CHANNELS[h.colourType] as number;
  const rowBytes = (w: number): number => Math.ceil((w * channels * h.depth) / 8);
  const passes = h.interlace === 1 ? [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] : [[0, 0, 1, 1]];
  let at = 0;
  for (const [x0, y0, dx, dy] of passes as Array<[number, number, number, number]>) {
    const w = Math.ceil((h.width - x0) / dx);
    const rows = Math.ceil((h.height - y0) / dy);
    if (w <= 0 || rows <= 0) continue;
    for (let r = 0; r < rows; r++) {
      raw[at] = 0;
      at += 1 + rowBytes(w);
    }
  }
  return raw;
}

const ZEROS_64MB = deflateSync(new Uint8Array(64 << 20)); // ~64 KB

/** A complete PNG of `h` with pseudo-random pixels; `extra` chunks go before IDAT. */
function makePng(h: Ihdr, extra: Uint8Array[] = [], idat?: Uint8Array): Uint8Array {
  const palette = h.colourType === 3 ? [chunk('PLTE', Uint8Array.from([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]))] : [];
  return png([ihdr(h), ...palette, ...extra, chunk('IDAT', idat ?? deflateSync(rawRows(h))), iend()]);
}

function refusal(run: () => unknown): TesseraError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TesseraError);
    return error as TesseraError;
  }
  throw new Error('expected a refusal, but it was accepted');
}

/** Refused by both entry points, with `code` and a message matching `pattern`, and fast-png's decode never ran. */
function expectRefused(bytes: Uint8Array, pattern: RegExp, code: 'BAD_INPUT' | 'BAD_CANVAS_SIZE' = 'BAD_INPUT', limits = LIMITS): TesseraError {
  const inspected = refusal(() => inspectPng(bytes, limits));
  const decoded = refusal(() => decodePngSafely(bytes, limits));
  for (const error of [inspected, decoded]) {
    expect(error.code).toBe(code);
    expect(error.message).toMatch(pattern);
    expect(error.message.startsWith(limits.what)).toBe(true);
  }
  expect(decodeSpy).not.toHaveBeenCalled();
  return decoded;
}

const good = makePng({ width: 16, height: 8, depth: 8, colourType: 0 });
const LEGAL: Array<[number, number]> = [[0, 1], [0, 2], [0, 4], [0, 8], [0, 16], [2, 8], [2, 16], [3, 1], [3, 2], [3, 4], [3, 8], [4, 8], [4, 16], [6, 8], [6, 16]];

describe('valid PNGs', () => {
  it('decode exactly as fast-png decodes them, every colour type and bit depth, interlaced or not', () => {
    for (const [colourType, depth] of LEGAL) {
      for (const interlace of [0, 1]) {
        const h = { width: 13, height: 11, depth, colourType, interlace };
        const bytes = makePng(h);
        const what = `colour type ${colourType}, ${depth}-bit, interlace ${interlace}`;
        expect(inspectPng(bytes, LIMITS), what).toEqual({ width: 13, height: 11, bitDepth: depth, colorType: colourType, interlaced: interlace === 1 });
        if (interlace === 1 && depth < 8) {
          // fast-png 8 decodes these wrong (or throws): refused with advice instead of garbage.
          expect(refusal(() => decodePngSafely(bytes, LIMITS)).message, what).toMatch(/interlaced PNG with \d-bit samples.*save it without interlacing/);
          continue;
        }
        expect(decodePngSafely(bytes, LIMITS), what).toEqual(decode(bytes, { checkCrc: true }));
      }
    }
  });

  it('decode fast-png encodings (with tEXt) identically, and the header is read alone', () => {
    const cases = [
      encode({ width: 5, height: 3, data: new Uint8Array(15).fill(3), channels: 1, depth: 8, text: { Software: 'Tessera', 'tessera:parameters': '{"a":1}' } }),
      encode({ width: 5, height: 3, data: new Uint16Array(60).fill(513), channels: 4, depth: 16 }),
      encode({ width: 40, height: 30, data: new Uint8Array(3600).map((_, i) => i), channels: 3, depth: 8 }, { interlace: 'Adam7' }),
      encode({ width: 4, height: 4, data: new Uint8Array(16).map((_, i) => i % 3), channels: 1, depth: 8, palette: [[1, 2, 3], [4, 5, 6], [7, 8, 9]] }),
    ];
    for (const bytes of cases) expect(decodePngSafely(bytes, LIMITS)).toEqual(decode(bytes, { checkCrc: true }));
    expect(readPngHeader(cases[1] as Uint8Array, 'x.png')).toEqual({ width: 5, height: 3, bitDepth: 16, colorType: 6, interlaced: false });
  });

  it('decode the same when the image data is split over many IDAT chunks, and ignore bytes after IEND', () => {
    const h = { width: 64, height: 32, depth: 8, colourType: 2 };
    const z = deflateSync(rawRows(h));
    const split = png([ihdr(h), ...Array.from({ length: Math.ceil(z.length / 7) }, (_, i) => chunk('IDAT', z.subarray(i * 7, i * 7 + 7))), iend()]);
    const whole = makePng(h, [], z);
    expect(decodePngSafely(split, LIMITS)).toEqual(decode(whole, { checkCrc: true }));
    expect(decodePngSafely(concat([whole, new Uint8Array(4096).fill(0xa5)]), LIMITS)).toEqual(decode(whole, { checkCrc: true }));
  });

  it('drop what must not be read: an ancillary chunk with a bad CRC, an iCCP profile, a palette in a gray image', () => {
    const h = { width: 16, height: 8, depth: 8, colourType: 0 };
    const plain = makePng(h);
    const damagedText = makePng(h, [chunk('tEXt', ascii('tessera:parameters\0{"seed":7}'), 0x12345678)]);
    expect(decodePngSafely(damagedText, LIMITS)).toEqual(decode(plain, { checkCrc: true }));
    expect(decodePngSafely(damagedText, LIMITS).text).toEqual({});
    // An iCCP profile inflating to 64 MB: fast-png would inflate all of it; Tessera never uses it.
    const iccp = makePng(h, [chunk('iCCP', concat([ascii('icc\0\0'), ZEROS_64MB]))]);
    const decoded = decodePngSafely(iccp, LIMITS);
    expect(decoded.iccEmbeddedProfile).toBeUndefined();
    expect(decoded.data).toEqual(decode(plain).data);
    const grayWithPalette = makePng(h, [chunk('PLTE', Uint8Array.from([1, 2, 3]))]);
    expect(decode(grayWithPalette).palette).toBeDefined();
    expect(decodePngSafely(grayWithPalette, LIMITS).palette).toBeUndefined();
  });

  it('accept text within the limits: tEXt, uncompressed and compressed iTXt, zTXt', () => {
    const text = [
      chunk('tEXt', ascii('Comment\0hello')),
      chunk('zTXt', concat([ascii('Comment\0\0'), deflateSync(new Uint8Array(1 << 20).fill(65))])),
      chunk('iTXt', concat([ascii('Title\0\0\0en\0Titel\0'), ascii('plain')])),
      chunk('iTXt', concat([ascii('Title\0\x01\0\0\0'), deflateSync(ascii('compressed'))])),
    ];
    expect(decodePngSafely(makePng({ width: 16, height: 8, depth: 8, colourType: 0 }, text), LIMITS).text).toEqual({ Comment: 'hello' });
  });
});

describe('sizes', () => {
  it('refuses a 10240×10240 header at once, with the size, the limit and what to do, and never decodes it', () => {
    // Only the header matters: the IDAT here holds a single row.
    const big = png([ihdr({ width: 10240, height: 10240, depth: 8, colourType: 2 }), chunk('IDAT', deflateSync(new Uint8Array(3 * 10240 + 1))), iend()]);
    const error = expectRefused(big, /^layout\.png is 10240×10240 px, over the 2048×2048 px limit: scale it down to fit \(2048×2048 px keeps its proportions, in multiples of 16 px\), or raise --max-size\.$/, 'BAD_CANVAS_SIZE', {
      ...LIMITS,
      advice: 'or raise --max-size',
    });
    expect(error.details).toEqual({ width: 10240, height: 10240, maxWidth: 2048, maxHeight: 2048 });
    expect(refusal(() => readPngHeader(concat([SIGNATURE, ihdr({ width: 0, height: 5, depth: 8, colourType: 0 })]), 'x.png')).message).toMatch(/0×5 px/);
    expect(readPngHeader(big, 'x.png').width).toBe(10240);
  });

  it('holds every side to its own limit, and suggests a size with the same proportions', () => {
    const wide = png([ihdr({ width: 4100, height: 1000, depth: 8, colourType: 0 }), chunk('IDAT', deflateSync(new Uint8Array(10))), iend()]);
    expectRefused(wide, /4100×1000 px, over the 2048×2048 px limit: scale it down to fit \(2048×496 px/, 'BAD_CANVAS_SIZE');
    expect(inspectPng(makePng({ width: 2048, height: 16, depth: 8, colourType: 0 }), LIMITS).width).toBe(2048);
    expectRefused(makePng({ width: 2049, height: 16, depth: 8, colourType: 0 }), /2049×16 px, over the 2048×2048 px limit/, 'BAD_CANVAS_SIZE');
  });

  it('refuses 0 px sides and sizes no PNG can have', () => {
    for (const [width, height] of [[0, 0], [0, 8], [8, 0]] as const) expectRefused(png([ihdr({ width, height, depth: 8, colourType: 0 }), chunk('IDAT', deflateSync(new Uint8Array(0))), iend()]), new RegExp(`${width}×${height} px, and an image needs at least 1×1 px`));
    expectRefused(png([ihdr({ width: 0xffffffff, height: 1, depth: 8, colourType: 0 }), chunk('IDAT', deflateSync(new Uint8Array(2))), iend()]), /more than a PNG can be/);
  });

  it('decodeLabelPng refuses an over-limit layout before decoding it (default: the canvas limit)', () => {
    const big = png([ihdr({ width: 2064, height: 16, depth: 8, colourType: 0 }), chunk('IDAT', deflateSync(new Uint8Array(2065 * 16))), iend()]);
    const error = refusal(() => decodeLabelPng(big, [{ id: 0, name: 'sky', color: '#000000' }]));
    expect(error.code).toBe('BAD_CANVAS_SIZE');
    expect(error.message).toMatch(/^the label map is 2064×16 px, over the 2048×2048 px limit/);
    expect(decodeSpy).not.toHaveBeenCalled();
    expect(decodeLabelPng(big, [{ id: 0, name: 'sky', color: '#000000' }], pngLimits('big.png', { width: 4096, height: 4096 })).width).toBe(2064);
  });
});

describe('damage', () => {
  it('refuses a file that is not a PNG, or whose signature a text-mode transfer changed', () => {
    expectRefused(new Uint8Array([1, 2, 3]), /not a readable PNG \(it does not start with the PNG signature\): save or export it as a PNG/);
    expectRefused(ascii('GIF89a........'), /not a readable PNG/);
    expectRefused(concat([Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0a, 0x1a, 0x0a]), good.subarray(8)]), /signature was altered, as a text-mode transfer does.*binary mode/);
  });

  it('refuses a critical chunk with a wrong CRC, naming the chunk', () => {
    const palette = makePng({ width: 8, height: 8, depth: 8, colourType: 3 });
    for (const [type, file] of [['IHDR', good], ['IDAT', good], ['IEND', good], ['PLTE', palette]] as const) {
      const bytes = file.slice();
      const at = findChunk(bytes, type);
      const crcAt = at + 8 + new DataView(bytes.buffer).getUint32(at);
      bytes[crcAt + 3] = (bytes[crcAt + 3] as number) ^ 0x5a;
      expectRefused(bytes, new RegExp(`^layout\\.png is corrupt: the ${type} chunk's CRC does not match \\(the file was damaged in transfer\\?\\); re-export it\\.$`));
    }
  });

  it('refuses truncated files: no IEND, a chunk running past the end, a cut in the header', () => {
    expectRefused(good.subarray(0, good.length - 12), /is truncated: it ends before its IEND chunk.*get or export the file again/);
    expectRefused(good.subarray(0, good.length - 20), /is truncated: its IDAT chunk is \d+ bytes long but the file ends/);
    expectRefused(good.subarray(0, 20), /is truncated: its IHDR chunk/);
    expectRefused(good.subarray(0, 8), /truncated: it ends before its IHDR header chunk/);
    expectRefused(good.subarray(0, 5), /truncated: it ends inside its PNG signature/);
    expectRefused(png([ihdr({ width: 16, height: 8, depth: 8, colourType: 0 }), concat([Uint8Array.from([0xff, 0xff, 0xff, 0xff]), ascii('IDAT'), new Uint8Array(8)])]), /more than a PNG chunk can hold/);
  });

  it('refuses an IHDR that is not first, not 13 bytes or not alone', () => {
    const h = { width: 16, height: 8, depth: 8, colourType: 0 };
    const idat = chunk('IDAT', deflateSync(rawRows(h)));
    expectRefused(png([idat, ihdr(h), iend()]), /its first chunk is IDAT, not the IHDR header/);
    expectRefused(png([chunk('tEXt', ascii('a\0b')), ihdr(h), idat, iend()]), /its first chunk is tEXt/);
    expectRefused(png([chunk('IHDR', ihdr(h).subarray(8, 20)), idat, iend()]), /IHDR header chunk is 12 bytes long instead of 13/);
    expectRefused(png([ihdr(h), ihdr({ ...h, width: 4096, height: 4096 }), idat, iend()]), /two IHDR header chunks/);
  });

  it('refuses bit depth and colour type combinations the spec forbids, and methods that do not exist', () => {
    const illegal: Array<[number, number]> = [[0, 3], [0, 32], [0, 0], [2, 1], [2, 4], [3, 16], [4, 1], [4, 4], [6, 2], [6, 4]];
    for (const [colourType, depth] of illegal) expectRefused(png([ihdr({ width: 8, height: 8, depth, colourType }), chunk('IDAT', deflateSync(new Uint8Array(80))), iend()]), new RegExp(`${depth}-bit samples are not allowed with colour type ${colourType}`));
    for (const colourType of [1, 5, 7, 255]) expectRefused(png([ihdr({ width: 8, height: 8, depth: 8, colourType }), chunk('IDAT', deflateSync(new Uint8Array(80))), iend()]), new RegExp(`colour type ${colourType} does not exist`));
    const h = { width: 16, height: 8, depth: 8, colourType: 0 };
    const rows = deflateSync(rawRows(h));
    expectRefused(makePng({ ...h, compression: 1 }, [], rows), /compression method 1 does not exist/);
    expectRefused(makePng({ ...h, filter: 1 }, [], rows), /filter method 1 does not exist/);
    for (const interlace of [2, 255]) expectRefused(makePng({ ...h, interlace }, [], rows), new RegExp(`interlace method ${interlace} does not exist \\(PNG has 0, none, and 1, Adam7\\)`));
  });

  it('refuses broken chunk structure', () => {
    const h = { width: 16, height: 8, depth: 8, colourType: 0 };
    const z = deflateSync(rawRows(h));
    const pal = (n: number): Uint8Array => chunk('PLTE', new Uint8Array(n));
    const indexed = { width: 16, height: 8, depth: 8, colourType: 3 };
    const zi = deflateSync(rawRows(indexed));
    const cases: Array<[Uint8Array, RegExp]> = [
      [png([ihdr(h), iend()]), /has no image data \(no IDAT chunk\)/],
      [png([ihdr(h), chunk('IDAT', z.subarray(0, 10)), chunk('tEXt', ascii('a\0b')), chunk('IDAT', z.subarray(10)), iend()]), /image data \(IDAT chunks\) is split by other chunks/],
      [png([ihdr(h), chunk('IDAT', z), chunk('IEND', new Uint8Array(4))]), /IEND chunk holds 4 bytes/],
      [png([ihdr(h), chunk('ABCD', new Uint8Array(4)), chunk('IDAT', z), iend()]), /critical chunk "ABCD" that Tessera cannot read.*export it as a plain PNG/],
      [png([ihdr(h), chunk('\0\0\0\0', new Uint8Array(4)), chunk('IDAT', z), iend()]), /has no valid type/],
      [png([ihdr(indexed), chunk('IDAT', zi), iend()]), /indexed-colour image without a PLTE palette/],
      [png([ihdr(indexed), chunk('IDAT', zi), pal(12), iend()]), /indexed-colour image without a PLTE palette/],
      [png([ihdr(indexed), pal(12), pal(12), chunk('IDAT', zi), iend()]), /two PLTE palette chunks/],
      [png([ihdr(indexed), pal(0), chunk('IDAT', zi), iend()]), /PLTE palette is 0 bytes long/],
      [png([ihdr(indexed), pal(10), chunk('IDAT', zi), iend()]), /PLTE palette is 10 bytes long/],
      [png([ihdr(indexed), pal(900), chunk('IDAT', zi), iend()]), /PLTE palette is 900 bytes long \(it must hold 1 to 256 RGB entries/],
    ];
    for (const [bytes, pattern] of cases) expectRefused(bytes, pattern);
  });

  it('refuses too many metadata chunks, and one too large', () => {
    const h = { width: 16, height: 8, depth: 8, colourType: 0 };
    const many = Array.from({ length: PNG_MAX_ANCILLARY_CHUNKS + 1 }, (_, i) => chunk('tEXt', ascii(`k${i}\0v`)));
    expectRefused(makePng(h, many), /more than 1000 metadata chunks; re-export it without the extra metadata/);
    expectRefused(makePng(h, [chunk('prVt', new Uint8Array(9 << 20))]), /prVt metadata chunk is 9\.0 MB, over the 8\.0 MB limit/);
  });

  it('turns whatever fast-png would throw on into TesseraErrors (fuzz: bit flips and cuts, 500 cases)', () => {
    const sources = [good, makePng({ width: 9, height: 7, depth: 8, colourType: 3 }), makePng({ width: 9, height: 7, depth: 16, colourType: 6, interlace: 1 }), makePng({ width: 9, height: 7, depth: 2, colourType: 0 }, [chunk('tEXt', ascii('a\0b'))])];
    const damaged = fc.tuple(fc.constantFrom(...sources), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }), fc.option(fc.nat())).map(([src, flips, cut]) => {
      const bytes = src.slice();
      for (const [at, x] of flips) bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ x;
      return cut === null ? bytes : bytes.subarray(0, cut % bytes.length);
    });
    fc.assert(
      fc.property(damaged, (bytes) => {
        try {
          const result = decodePngSafely(bytes, LIMITS);
          return result.width * result.height > 0;
        } catch (error) {
          return error instanceof TesseraError && error.message.startsWith('layout.png ');
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('decompression bombs', () => {
  const zeros = ZEROS_64MB;

  it('refuses image data that inflates past what the header needs, without inflating all of it', () => {
    // 1024×1024 gray needs 1 MB + 1024 filter bytes; the IDAT holds 64 MB.
    const h = { width: 1024, height: 1024, depth: 8, colourType: 0 };
    expectRefused(makePng(h, [], zeros), /its image data inflates to more than the 1049600 bytes a 1024×1024 px image needs \(a decompression bomb, or a damaged file\); re-export it\./);
    // A few bytes too many are refused as well.
    expectRefused(makePng(h, [], deflateSync(new Uint8Array(1049600 + 1))), /inflates to more than the 1049600 bytes/);
  });

  it('refuses compressed image data larger than the raw image could need', () => {
    expectRefused(makePng({ width: 64, height: 32, depth: 8, colourType: 0 }, [], zeros), /holds \d+ bytes of compressed image data, more than a 64×32 px image can need/);
  });

  it('refuses image data that is short, or not zlib', () => {
    const h = { width: 64, height: 32, depth: 8, colourType: 2 };
    const raw = rawRows(h);
    expectRefused(makePng(h, [], deflateSync(raw.subarray(0, raw.length - 200))), /is truncated: its image data holds 5976 of the 6176 bytes a 64×32 px image needs/);
    expectRefused(makePng(h, [], deflateSync(raw).subarray(0, 100)), /is corrupt: its image data cannot be decompressed|is truncated: its image data holds/);
    expectRefused(makePng(h, [], Uint8Array.from([0x78, 0x00, 1, 2, 3, 4, 5, 6])), /its image data cannot be decompressed/);
  });

  it('refuses zTXt and compressed iTXt text that inflates past 4 MB, and malformed compressed text', () => {
    const h = { width: 16, height: 8, depth: 8, colourType: 0 };
    expectRefused(makePng(h, [chunk('zTXt', concat([ascii('Comment\0\0'), zeros]))]), /its zTXt text inflates to more than 4\.0 MB of text in all \(a decompression bomb\?\); re-export it without that metadata/);
    expectRefused(makePng(h, [chunk('iTXt', concat([ascii('Comment\0\x01\0\0\0'), zeros]))]), /its iTXt text inflates to more than 4\.0 MB/);
    // 3 MB each: fine alone, over the limit together.
    const three = deflateSync(new Uint8Array(3 << 20));
    expect(() => inspectPng(makePng(h, [chunk('zTXt', concat([ascii('a\0\0'), three]))]), LIMITS)).not.toThrow();
    expectRefused(makePng(h, [chunk('zTXt', concat([ascii('a\0\0'), three])), chunk('zTXt', concat([ascii('b\0\0'), three]))]), /zTXt text inflates to more than 4\.0 MB of text in all/);
    expectRefused(makePng(h, [chunk('zTXt', ascii('no keyword end'))]), /zTXt text chunk has no valid keyword/);
    expectRefused(makePng(h, [chunk('zTXt', concat([ascii('k\0\x07'), three]))]), /zTXt text chunk has an unknown compression method/);
    expectRefused(makePng(h, [chunk('zTXt', concat([ascii('k\0\0'), Uint8Array.from([1, 2, 3])]))]), /zTXt text chunk cannot be decompressed/);
    expectRefused(makePng(h, [chunk('iTXt', ascii('k\0\x01\0'))]), /iTXt text chunk is malformed/);
  });
});

function findChunk(bytes: Uint8Array, type: string): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  for (let at = 8; at + 8 <= bytes.length; at += 12 + view.getUint32(at)) {
    if (String.fromCharCode(...bytes.subarray(at + 4, at + 8)) === type) return at;
  }
  throw new Error(`no ${type} chunk`);
}
