/**
 * PNG inputs are checked before they cost memory, as a user runs the CLI (real processes, real
 * files; shared/png-guard.ts): a 10240×10240 layout, image or embedded layout is refused with exit
 * code 2 and BAD_CANVAS_SIZE while the process stays small (its peak RSS, read inside the child,
 * stays under the size of the pixels it would have decoded); a layout whose IDAT CRC is wrong and a
 * mask whose image data is a decompression bomb are refused with the reason. No output file is left.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32, createDeflate, deflateSync } from 'node:zlib';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIndexPng } from '../../shared/labelmap.ts';
import { encodeRgbPng, LAYOUT_KEY, PARAMETERS_KEY } from '../../engine/batch/result-png.ts';
import { toBase64 } from '../../engine/batch/digest.ts';
import { REPO } from './support/fixture.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-png-guard-'));
const env = { ...process.env, TESSERA_CACHE_DIR: tmp, TESSERA_THREADS: '1', TESSERA_MODELS_DIR: '' };
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string): string => path.join(tmp, name);
const MODEL = ['--model', 'assets/fixtures/tessera-tiny', '--backend', 'cpu', '--seed', '3'];
/** The fixture model's class 0 colour: the big layout is a valid label map, only too large. */
const CLASS0 = [0x7f, 0xb2, 0xe5];
const BIG = 10240;
/** One copy of the 10240×10240 RGB pixels: the old code decoded (and copied) them before refusing. */
const DECODED_MB = (BIG * BIG * 3) / 2 ** 20;

// Reports the child's peak RSS (kB on Linux) on stderr as it exits, whatever the exit path.
const probe = file('rss-probe.mjs');
writeFileSync(probe, "process.on('exit', () => process.stderr.write(`\\nmaxRSS=${process.resourceUsage().maxRSS}\\n`));\n");

function cli(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', pathToFileURL(probe).href, '--import', 'tsx', 'electron/cli/main.ts', ...args], { cwd: REPO, env, encoding: 'utf8', timeout: 120_000 });
}

function peakRssMb(r: SpawnSyncReturns<string>): number {
  const m = /maxRSS=(\d+)/.exec(r.stderr);
  if (!m) throw new Error(`no maxRSS in stderr: ${r.stderr}`);
  return Number(m[1]) / 1024;
}

function chunk(type: string, data: Uint8Array = new Uint8Array(0)): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function png(width: number, height: number, depth: number, colourType: number, idat: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([depth, colourType, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND')]);
}

/** zlib of `first` then `count` copies of `row`, streamed: never the whole raw image in memory. */
async function deflateRows(first: Buffer, row: Buffer, count: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 6 });
  const parts: Buffer[] = [];
  deflate.on('data', (c: Buffer) => parts.push(c));
  const ended = once(deflate, 'end');
  deflate.write(first);
  const perWrite = Math.max(1, Math.floor((1 << 20) / row.length));
  const batch = Buffer.concat(Array.from({ length: perWrite }, () => row));
  for (let done = 0; done < count; done += perWrite) {
    const n = Math.min(perWrite, count - done);
    if (!deflate.write(n === perWrite ? batch : batch.subarray(0, n * row.length))) await once(deflate, 'drain');
  }
  deflate.end();
  await ended;
  return Buffer.concat(parts);
}

function noise(width: number, height: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  let s = 99;
  for (let i = 0; i < rgb.length; i++) rgb[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
  return rgb;
}

beforeAll(async () => {
  // A complete, valid 10240×10240 RGB label map of class 0 (first row, then rows filtered "Up": zeros).
  const rowBytes = 1 + 3 * BIG;
  const first = Buffer.alloc(rowBytes);
  for (let x = 0; x < BIG; x++) first.set(CLASS0, 1 + 3 * x);
  const up = Buffer.alloc(rowBytes);
  up[0] = 2;
  writeFileSync(file('big.png'), png(BIG, BIG, 8, 2, await deflateRows(first, up, BIG - 1)));
  // A 10240×10240 grayscale index layout (class 0 everywhere) to embed in a result PNG.
  const grayRow = Buffer.alloc(BIG + 1);
  const bigIndex = png(BIG, BIG, 8, 0, await deflateRows(grayRow, grayRow, BIG - 1));
  const record = {
    format: 'tessera-generation',
    version: 1,
    model: { id: 'tessera-tiny-fixture', version: '1' },
    size: { width: BIG, height: BIG },
    settings: { seed: 3, temperature: 1, topK: 8, topP: 1, sampler: 'cached', stride: 2, decodedPreviews: false },
    backend: 'cpu',
    layoutSha256: '0'.repeat(64),
  };
  const rgba = new Uint8Array(64 * 32 * 4).fill(255);
  writeFileSync(file('reproduce-big-layout.png'), encodeRgbPng({ width: 64, height: 32, rgba }, { [PARAMETERS_KEY]: JSON.stringify(record), [LAYOUT_KEY]: toBase64(bigIndex) }));
  // 64×32 inputs that are fine: an image, a layout of class 0, a mask.
  writeFileSync(file('image.png'), encode({ width: 64, height: 32, data: noise(64, 32), channels: 3, depth: 8 }));
  writeFileSync(file('layout.png'), encodeIndexPng({ width: 64, height: 32, data: new Uint8Array(64 * 32) }));
  const mask = new Uint8Array(64 * 32);
  mask.fill(255, 0, 64 * 8);
  writeFileSync(file('mask.png'), encode({ width: 64, height: 32, data: mask, channels: 1, depth: 8 }));
}, 120_000);

function expectRefusedSmall(r: SpawnSyncReturns<string>, code: string, message: RegExp): void {
  expect(r.stderr).toMatch(new RegExp(`error \\[${code}\\]: `));
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /); // a message, never a stack
  expect(r.status).toBe(2);
  expect(peakRssMb(r)).toBeLessThan(DECODED_MB);
}

describe('CLI PNG inputs over the canvas limit are refused before they are decoded', () => {
  it('generate --layout: a 10240×10240 RGB layout', () => {
    const out = file('out-generate.png');
    const r = cli(['generate', '--layout', file('big.png'), ...MODEL, '--out', out]);
    expectRefusedSmall(r, 'BAD_CANVAS_SIZE', /the layout \S*big\.png is 10240×10240 px, over the 2048×2048 px limit: scale it down to fit \(2048×2048 px keeps its proportions, in multiples of 16 px\), or raise --max-size\./);
    expect(existsSync(out)).toBe(false);
  });

  it('batch --layouts: one 10240×10240 layout among good ones refuses the batch before anything is made', () => {
    const dir = file('layouts');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'a-good.png'), readFileSync(file('layout.png')));
    writeFileSync(path.join(dir, 'b-big.png'), readFileSync(file('big.png')));
    const out = file('batch-out');
    const r = cli(['batch', '--layouts', path.join(dir, '*.png'), '--seeds', '1', ...MODEL.slice(0, 4), '--out', out]);
    expectRefusedSmall(r, 'BAD_CANVAS_SIZE', /the layout \S*b-big\.png is 10240×10240 px, over the 2048×2048 px limit/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('inpaint --image: a 10240×10240 image', () => {
    const out = file('out-inpaint.png');
    const r = cli(['inpaint', '--image', file('big.png'), '--mask', file('mask.png'), '--layout', file('layout.png'), ...MODEL, '--out', out]);
    expectRefusedSmall(r, 'BAD_CANVAS_SIZE', /the image \S*big\.png is 10240×10240 px, over the 2048×2048 px limit/);
    expect(existsSync(out)).toBe(false);
  });

  it('generate --reproduce: a result PNG whose embedded layout is 10240×10240', () => {
    const out = file('out-reproduce.png');
    const r = cli(['generate', '--reproduce', file('reproduce-big-layout.png'), ...MODEL, '--out', out]);
    expectRefusedSmall(r, 'BAD_CANVAS_SIZE', /the layout embedded in the image to reproduce \S*reproduce-big-layout\.png is 10240×10240 px, over the 2048×2048 px limit/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('CLI PNG inputs that are damaged or bombs are refused with the reason', () => {
  it('generate --layout: the IDAT chunk CRC is wrong (it used to be accepted, exit 0)', () => {
    const bytes = Buffer.from(readFileSync(file('layout.png')));
    const idat = bytes.indexOf('IDAT');
    const crcAt = idat + 4 + bytes.readUInt32BE(idat - 4);
    bytes[crcAt] = (bytes[crcAt] as number) ^ 0x40;
    writeFileSync(file('bad-crc.png'), bytes);
    const out = file('out-bad-crc.png');
    const r = cli(['generate', '--layout', file('bad-crc.png'), ...MODEL, '--out', out]);
    expect(r.stderr).toMatch(/error \[BAD_INPUT\]: the layout \S*bad-crc\.png is corrupt: the IDAT chunk's CRC does not match \(the file was damaged in transfer\?\); re-export it\./);
    expect(r.status).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it('inpaint --mask: image data inflating to 64 MB behind a 64×32 header (it used to be inflated and used)', () => {
    // Valid mask rows (the top 8 rows light), then 64 MB more in the same zlib stream.
    const rows = new Uint8Array(65 * 32);
    for (let y = 0; y < 8; y++) rows.fill(255, y * 65 + 1, (y + 1) * 65);
    const bomb = deflateSync(Buffer.concat([rows, Buffer.alloc(64 << 20)]));
    writeFileSync(file('bomb-mask.png'), png(64, 32, 8, 0, bomb));
    const out = file('out-bomb.png');
    const r = cli(['inpaint', '--image', file('image.png'), '--mask', file('bomb-mask.png'), '--layout', file('layout.png'), ...MODEL, '--out', out]);
    expect(r.stderr).toMatch(/error \[BAD_INPUT\]: the mask \S*bomb-mask\.png is corrupt: it holds \d+ bytes of compressed image data, more than a 64×32 px image can need/);
    expect(r.status).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
