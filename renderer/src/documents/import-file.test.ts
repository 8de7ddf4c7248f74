import { beforeEach, describe, expect, it, vi } from 'vitest';
import { decode, encode } from 'fast-png';
import { TesseraError } from '../../../shared/errors.ts';
import { encodeIndexPng, encodeLabelPng } from '../../../shared/labelmap.ts';
import { importFile, importLabelPng, looksLikeLabelPng } from './import-file.ts';

// fast-png as it is, with decode counted: "refused before decoding" means this was never called.
vi.mock('fast-png', async (importOriginal) => {
  const actual = await importOriginal<typeof import('fast-png')>();
  return { ...actual, decode: vi.fn(actual.decode) };
});
const decodeSpy = vi.mocked(decode);
beforeEach(() => {
  decodeSpy.mockClear();
});

const classes = [
  { id: 0, name: 'sky', color: '#0000ff' },
  { id: 1, name: 'water', color: '#00ff00' },
];

describe('label PNG import', () => {
  it('reads a palette-coloured label map', () => {
    const layout = { width: 16, height: 16, data: new Uint8Array(256).fill(1) };
    const png = encodeLabelPng(layout, classes);
    expect(looksLikeLabelPng(png)).toBe(true);
    expect(importLabelPng(png, classes, 8, { rows: 2, cols: 2 }).data).toEqual(layout.data);
  });

  it('lists unknown colours in a readable error', () => {
    const rgb = new Uint8Array(16 * 16 * 3);
    for (let i = 0; i < 256; i++) rgb.set(i < 10 ? [0x12, 0x34, 0x56] : [0, 0, 255], i * 3);
    const png = encode({ width: 16, height: 16, data: rgb, channels: 3, depth: 8 });
    expect(looksLikeLabelPng(png)).toBe(true);
    expect(() => importLabelPng(png, classes, 8, { rows: 2, cols: 2 })).toThrow(/unknown colours: #123456 \(10 px, first at x=0, y=0\)/);
  });

  it('refuses sizes that are not multiples of the grid, naming ones that work', () => {
    const png = encodeLabelPng({ width: 20, height: 16, data: new Uint8Array(320) }, classes);
    expect(() => importLabelPng(png, classes, 8, { rows: 2, cols: 2 })).toThrow(/16×16 or 24×16/);
  });

  it('treats many-coloured PNGs as pictures', () => {
    const rgb = new Uint8Array(32 * 32 * 3).map((_, i) => (i * 37) % 256);
    expect(looksLikeLabelPng(encode({ width: 32, height: 32, data: rgb, channels: 3, depth: 8 }))).toBe(false);
  });
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Offset of the first `type` chunk. */
function chunkAt(bytes: Uint8Array, type: string): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  for (let at = 8; at + 8 <= bytes.length; at += 12 + view.getUint32(at)) if (String.fromCharCode(...bytes.subarray(at + 4, at + 8)) === type) return at;
  throw new Error(`no ${type}`);
}

async function rejection(p: Promise<unknown>): Promise<TesseraError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(TesseraError);
    return error as TesseraError;
  }
  throw new Error('expected the import to be refused');
}

describe('PNG imports are checked from their header and chunks before anything decodes them', () => {
  const context = { classes, gridFactor: 8, window: { rows: 2, cols: 2 }, canvas: { width: 16, height: 16 } };
  const asFile = (bytes: Uint8Array, name: string): File => new File([bytes.slice()], name, { type: 'image/png' });

  it('refuses a picture over 8192 px and a label map over the 2048×2048 canvas limit, naming the file, without decoding', async () => {
    const wide = encode({ width: 10240, height: 16, data: new Uint8Array(10240 * 16 * 3), channels: 3, depth: 8 });
    const picture = await rejection(importFile(asFile(wide, 'big.png'), context));
    expect(picture.code).toBe('BAD_CANVAS_SIZE');
    expect(picture.message).toMatch(/^“big\.png” is 10240×16 px, over the 8192×8192 px limit: scale it down/);
    const label = await rejection(importFile(asFile(encodeIndexPng({ width: 4096, height: 16, data: new Uint8Array(4096 * 16) }), 'labels.png'), context));
    expect(label.code).toBe('BAD_CANVAS_SIZE');
    expect(label.message).toMatch(/^“labels\.png” is 4096×16 px, over the 2048×2048 px limit/);
    expect(decodeSpy).not.toHaveBeenCalled();
  });

  it('treats an RGB PNG larger than the canvas limit as a picture without decoding it to count colours', () => {
    expect(looksLikeLabelPng(encode({ width: 3000, height: 16, data: new Uint8Array(3000 * 16 * 3), channels: 3, depth: 8 }))).toBe(false);
    expect(decodeSpy).not.toHaveBeenCalled();
  });

  it('refuses a label PNG whose IDAT CRC is wrong, naming the chunk', async () => {
    const bytes = encodeLabelPng({ width: 16, height: 16, data: new Uint8Array(256).fill(1) }, classes).slice();
    const at = chunkAt(bytes, 'IDAT');
    const crcAt = at + 8 + new DataView(bytes.buffer).getUint32(at);
    bytes[crcAt] = (bytes[crcAt] as number) ^ 0x01;
    const error = await rejection(importFile(asFile(bytes, 'damaged.png'), context));
    expect(error.code).toBe('BAD_INPUT');
    expect(error.message).toBe("“damaged.png” is corrupt: the IDAT chunk's CRC does not match (the file was damaged in transfer?); re-export it.");
  });

  it('refuses a label PNG whose image data inflates far past what its 16×16 header needs', async () => {
    // 16×65536 px of class 0, relabelled 16×16 (IHDR height and CRC rewritten): 1 MB behind a 272-byte header.
    const bytes = encodeIndexPng({ width: 16, height: 65536, data: new Uint8Array(16 * 65536) }).slice();
    const view = new DataView(bytes.buffer);
    view.setUint32(8 + 8 + 4, 16);
    view.setUint32(8 + 8 + 13, crc32(bytes.subarray(12, 8 + 8 + 13)));
    const error = await rejection(importFile(asFile(bytes, 'bomb.png'), context));
    expect(error.code).toBe('BAD_INPUT');
    expect(error.message).toMatch(/^“bomb\.png” is corrupt: its image data inflates to more than the 272 bytes a 16×16 px image needs \(a decompression bomb, or a damaged file\)/);
  });
});
