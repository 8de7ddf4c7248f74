/**
 * `tessera outpaint` as a user runs it, on the fixture model and real PNG files: the canvas grows
 * on every side (left, right, top, bottom, a corner), the old pixels come back byte for byte, a
 * Tessera PNG lends its own tokens (the record path) while any other PNG is encoded, the output
 * carries the record, and every bad offset exits 2 saying what to do.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decode, encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIndexPng, type LabelMap } from '../../shared/labelmap.ts';
import { benchLayout } from '../../electron/cli/bench/layouts.ts';
import { REPO } from '../engine/support/fixture.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-outpaint-cli-'));
const env = { ...process.env, TESSERA_CACHE_DIR: tmp, TESSERA_THREADS: '1', TESSERA_MODELS_DIR: '' };
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string): string => path.join(tmp, name);
const MODEL = ['--model', 'assets/fixtures/tessera-tiny', '--backend', 'cpu'];

function cli(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', ...args], { cwd: REPO, env, encoding: 'utf8', timeout: 60_000 });
}

// 96×80 px = 12×10 tokens of 8 px; the old image is the 48×32 px part at (24, 24).
const big: LabelMap = benchLayout(96, 80, 5);
const OLD = { x: 24, y: 24, width: 48, height: 32 };
function crop(map: LabelMap, x0: number, y0: number, w: number, h: number): LabelMap {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) data.set(map.data.subarray((y0 + y) * map.width + x0, (y0 + y) * map.width + x0 + w), y * w);
  return { width: w, height: h, data };
}

interface Png {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
  text: Record<string, string>;
}
const read = (name: string): Png => decode(readFileSync(file(name))) as unknown as Png;

/** The old image's pixels at `at` in `out`, byte for byte (RGB). */
function expectOldPixels(old: Png, out: Png, at: { x: number; y: number }): void {
  for (let y = 0; y < old.height; y++) {
    const a = old.data.subarray(y * old.width * 3, (y + 1) * old.width * 3);
    const b = out.data.subarray(((at.y + y) * out.width + at.x) * 3, ((at.y + y) * out.width + at.x + old.width) * 3);
    expect(Buffer.from(b).equals(Buffer.from(a)), `row ${y}`).toBe(true);
  }
}

/** Tokens the PNG carries (`tessera:tokens`), as numbers. */
function carriedTokens(png: Png): { rows: number; cols: number; tokens: number[] } {
  const t = JSON.parse(png.text['tessera:tokens']!) as { grid: { rows: number; cols: number }; data: string };
  const bytes = Buffer.from(t.data, 'base64');
  return { ...t.grid, tokens: Array.from({ length: bytes.length / 2 }, (_, i) => bytes.readUInt16LE(2 * i)) };
}

beforeAll(() => {
  writeFileSync(file('small-layout.png'), encodeIndexPng(crop(big, OLD.x, OLD.y, OLD.width, OLD.height)));
  const r = cli(['generate', '--layout', file('small-layout.png'), '--seed', '3', '--out', file('old.png'), ...MODEL]);
  expect(r.status, r.stderr).toBe(0);
  // A picture no Tessera made: noise, no record.
  const rgb = new Uint8Array(OLD.width * OLD.height * 3);
  let s = 99;
  for (let i = 0; i < rgb.length; i++) rgb[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
  writeFileSync(file('photo.png'), encode({ width: OLD.width, height: OLD.height, data: rgb, channels: 3, depth: 8 }));
});

describe('tessera outpaint', () => {
  const sides = [
    { name: 'right', rect: [24, 24, 72, 32], at: '0,0' },
    { name: 'left', rect: [0, 24, 72, 32], at: '24,0' },
    { name: 'bottom', rect: [24, 24, 48, 56], at: '0,0' },
    { name: 'top', rect: [24, 0, 48, 56], at: '0,24' },
    { name: 'corner', rect: [0, 0, 96, 80], at: '24,24' },
  ] as const;

  it.each(sides)('grows $name: the old pixels and tokens are kept, the new area is sampled, the record says so', ({ name, rect, at }) => {
    const [x0, y0, w, h] = rect;
    writeFileSync(file(`${name}-layout.png`), encodeIndexPng(crop(big, x0, y0, w, h)));
    const r = cli(['outpaint', '--image', file('old.png'), '--layout', file(`${name}-layout.png`), '--offset', at, '--seed', '8', '--out', file(`${name}.png`), ...MODEL]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/context: the image’s own tokens/);
    const out = read(`${name}.png`);
    expect([out.width, out.height]).toEqual([w, h]);
    const [ox, oy] = at.split(',').map(Number) as [number, number];
    const old = read('old.png');
    expectOldPixels(old, out, { x: ox, y: oy });
    const record = JSON.parse(out.text['tessera:parameters']!);
    const newTokens = (w * h - OLD.width * OLD.height) / 64;
    expect(record).toMatchObject({ format: 'tessera-generation', size: { width: w, height: h }, settings: { seed: 8 }, outpaint: { offset: { x: ox, y: oy }, source: { width: 48, height: 32 }, context: 'tokens', newTokens, totalTokens: (w * h) / 64 } });
    expect(record.outpaint.candidates).toBe(name === 'right' || name === 'bottom' ? 1 : 4);
    // The output's tokens: the old image's own at the offset; the new area sampled (not left at 0).
    const before = carriedTokens(old);
    const after = carriedTokens(out);
    const fresh = new Set<number>();
    for (let r2 = 0; r2 < after.rows; r2++) {
      for (let c = 0; c < after.cols; c++) {
        const rr = r2 - oy / 8;
        const cc = c - ox / 8;
        const inside = rr >= 0 && cc >= 0 && rr < before.rows && cc < before.cols;
        if (inside) expect(after.tokens[r2 * after.cols + c]).toBe(before.tokens[rr * before.cols + cc]);
        else fresh.add(after.tokens[r2 * after.cols + c]!);
      }
    }
    expect(fresh.size).toBeGreaterThan(3);
    // The new area is painted, not the old image's edge repeated.
    const edge = Array.from(out.data.subarray(0, 3));
    let differs = 0;
    for (let p = 0; p < out.width * out.height; p++) if (out.data[3 * p] !== edge[0] || out.data[3 * p + 1] !== edge[1]) differs++;
    expect(differs).toBeGreaterThan(out.width * out.height * 0.5);
  });

  it('infers the offset from the layout a Tessera image carries; outpaints an outpainted image again', () => {
    const r = cli(['outpaint', '--image', file('old.png'), '--layout', file('right-layout.png'), '--seed', '8', '--out', file('inferred.png'), ...MODEL]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/offset 0,0: where the image's own layout is in the new one/);
    expect(readFileSync(file('inferred.png')).equals(readFileSync(file('right.png')))).toBe(true);
    const again = cli(['outpaint', '--image', file('right.png'), '--layout', file('corner-layout.png'), '--seed', '9', '--json', '--out', file('again.png'), ...MODEL]);
    expect(again.status, again.stderr).toBe(0);
    const last = JSON.parse(again.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ type: 'result', record: { outpaint: { offset: { x: 24, y: 24 }, context: 'tokens' } } });
    expectOldPixels(read('right.png'), read('again.png'), { x: 24, y: 24 });
    // Its layout alone does not make an outpainted image: --reproduce says what does.
    const reproduce = cli(['generate', '--reproduce', file('again.png'), '--out', file('x.png'), ...MODEL]);
    expect(reproduce.status).toBe(2);
    expect(reproduce.stderr).toMatch(/was outpainted \(a 72×32 px image extended at 24,24\)[\s\S]*Run `outpaint` on the source image with seed 9/);
  });

  it('encodes a PNG no Tessera made (and one whose pixels were edited), keeping its pixels exactly', () => {
    const r = cli(['outpaint', '--image', file('photo.png'), '--layout', file('corner-layout.png'), '--offset', '24,24', '--seed', '8', '--candidates', '2', '--out', file('photo-out.png'), ...MODEL]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/context: encoded from its pixels/);
    expect(r.stderr).toMatch(/best of 2: candidate \d/);
    const out = read('photo-out.png');
    expect(JSON.parse(out.text['tessera:parameters']!).outpaint).toMatchObject({ context: 'encoded', candidates: 2 });
    expectOldPixels(read('photo.png'), out, { x: 24, y: 24 });
    // A Tessera PNG whose pixels were changed after it was made: its tokens no longer describe it.
    const old = read('old.png');
    const edited = old.data.slice();
    edited[0] = (edited[0]! + 1) % 256;
    writeFileSync(file('edited.png'), encode({ width: old.width, height: old.height, data: edited, channels: 3, depth: 8, text: old.text }));
    const e = cli(['outpaint', '--image', file('edited.png'), '--layout', file('right-layout.png'), '--offset', '0,0', '--out', file('edited-out.png'), ...MODEL]);
    expect(e.status, e.stderr).toBe(0);
    expect(e.stderr).toMatch(/own tokens cannot be used \(its pixels were changed after it was made\): encoding its pixels instead/);
    const strict = cli(['outpaint', '--image', file('photo.png'), '--layout', file('right-layout.png'), '--offset', '0,0', '--no-encode', '--out', file('x.png'), ...MODEL]);
    expect(strict.status).toBe(2);
    expect(strict.stderr).toMatch(/carries no usable tokens[\s\S]*drop --no-encode/);
  });

  it('exits 2 for a bad offset, saying what to do, and writes nothing', () => {
    const bad = (offset: string | null, layout = 'corner-layout.png', image = 'old.png'): SpawnSyncReturns<string> =>
      cli(['outpaint', '--image', file(image), '--layout', file(layout), ...(offset === null ? [] : [`--offset=${offset}`]), '--out', file('bad.png'), ...MODEL]);
    const cases: Array<[SpawnSyncReturns<string>, RegExp]> = [
      [bad('-8,0'), /negative or not whole/],
      [bad('20,24'), /not on the 8-px token grid: use x = 16 or 24 and y = 24/],
      [bad('56,24'), /outside the 96×80 px layout: the offset may be at most 48,48/],
      [bad('0,0', 'small-layout.png'), /no new area to outpaint/],
      [bad('1;2'), /--offset must be X,Y in pixels/],
      [bad(null, 'corner-layout.png', 'photo.png'), /carries no Tessera layout[\s\S]*--offset X,Y/],
    ];
    for (const [r, message] of cases) {
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(() => readFileSync(file('bad.png'))).toThrow();
  });
});
