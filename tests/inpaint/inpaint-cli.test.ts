/**
 * `tessera inpaint` and `tessera batch` as a user runs them: --fit pad on an image that does not
 * fit the grid (output keeps its size and every pixel outside the region), layout-edit mode, and
 * exit code 2 with a clear message for each kind of bad input.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decode, encode } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIndexPng } from '../../shared/labelmap.ts';
import { benchLayout } from '../../electron/cli/bench/layouts.ts';
import { REPO } from '../engine/support/fixture.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-inpaint-cli-'));
const env = { ...process.env, TESSERA_CACHE_DIR: tmp, TESSERA_THREADS: '1', TESSERA_MODELS_DIR: '' };
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string): string => path.join(tmp, name);
const MODEL = ['--model', 'assets/fixtures/tessera-tiny', '--backend', 'cpu', '--seed', '5'];

function cli(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', ...args], { cwd: REPO, env, encoding: 'utf8', timeout: 60_000 });
}

function noise(width: number, height: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  let s = 12345;
  for (let i = 0; i < rgb.length; i++) rgb[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
  return rgb;
}

function maskPng(width: number, height: number, x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const data = new Uint8Array(width * height);
  for (let y = y0; y < y1; y++) data.fill(255, y * width + x0, y * width + x1);
  return encode({ width, height, data, channels: 1, depth: 8 });
}

// 61×50 px: not a multiple of the fixture's grid factor 8.
const rgb = noise(61, 50);
writeFileSync(file('in.png'), encode({ width: 61, height: 50, data: rgb, channels: 3, depth: 8 }));
writeFileSync(file('mask.png'), maskPng(61, 50, 16, 16, 40, 32));
writeFileSync(file('layout.png'), encodeIndexPng(benchLayout(61, 50, 5)));

describe('tessera inpaint', () => {
  it('--fit pad: the output has the input’s size and keeps every pixel outside the region', () => {
    const r = cli(['inpaint', '--image', file('in.png'), '--mask', file('mask.png'), '--layout', file('layout.png'), '--fit', 'pad', '--out', file('out.png'), ...MODEL]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/--fit pad: 61×50 → 64×56 px/);
    expect(r.stderr).toMatch(/region 6 of 56 tokens/);
    const out = decode(readFileSync(file('out.png')));
    expect([out.width, out.height, out.channels]).toEqual([61, 50, 3]);
    for (let y = 0; y < 50; y++) {
      for (let x = 0; x < 61; x++) {
        if (x >= 16 && x < 40 && y >= 16 && y < 32) continue;
        for (let c = 0; c < 3; c++) expect(out.data[(y * 61 + x) * 3 + c]).toBe(rgb[(y * 61 + x) * 3 + c]);
      }
    }
    // The one record format (shared/result-record.ts), with the inpaint block.
    expect(JSON.parse(out.text['tessera:parameters']!)).toMatchObject({ format: 'tessera-generation', settings: { seed: 5 }, inpaint: { mode: 'region', options: { blend: 4, keepOutside: true }, regionTokens: 6, fit: 'pad' } });
  });

  it('uses the layout a Tessera image carries; layout-edit mode regenerates only the repainted tokens', () => {
    const click = cli(['inpaint', '--image', file('out.png'), '--tokens', '3', '--fit', 'pad', '--out', file('click.png'), ...MODEL]);
    expect(click.status, click.stderr).toBe(0);
    expect(click.stderr).toMatch(/using the layout the image carries[\s\S]*region 1 of 56 tokens/);
    const edited = benchLayout(64, 56, 5);
    const before = { ...edited, data: edited.data.slice() };
    for (let y = 0; y < 8; y++) edited.data.fill(2, y * 64, y * 64 + 16);
    writeFileSync(file('old.png'), encodeIndexPng(before));
    writeFileSync(file('new.png'), encodeIndexPng(edited));
    writeFileSync(file('square.png'), encode({ width: 64, height: 56, data: noise(64, 56), channels: 3, depth: 8 }));
    const ok = cli(['inpaint', '--image', file('square.png'), '--old-layout', file('old.png'), '--new-layout', file('new.png'), '--out', file('edit.png'), '--json', ...MODEL]);
    expect(ok.status, ok.stdout).toBe(0);
    expect(JSON.parse(ok.stdout.trim().split('\n').at(-1)!)).toMatchObject({ type: 'result', record: { inpaint: { regionTokens: 2 } } });
  });

  it('exits 2 with a clear message for an image that does not fit, a mask of another size, an empty mask', () => {
    const noFit = cli(['inpaint', '--image', file('in.png'), '--mask', file('mask.png'), '--layout', file('layout.png'), '--out', file('x.png'), ...MODEL]);
    expect(noFit.status).toBe(2);
    expect(noFit.stderr).toMatch(/error \[BAD_CANVAS_SIZE\]: The image cannot be encoded as it is: 61×50 px is not a multiple of the grid factor 8.*--fit pad\|crop/);
    writeFileSync(file('small-mask.png'), maskPng(60, 50, 0, 0, 8, 8));
    const sizes = cli(['inpaint', '--image', file('in.png'), '--mask', file('small-mask.png'), '--layout', file('layout.png'), '--fit', 'crop', '--out', file('x.png'), ...MODEL]);
    expect(sizes.status).toBe(2);
    expect(sizes.stderr).toMatch(/error \[BAD_INPUT\]: The mask is 60×50 px but the image is 61×50 px/);
    writeFileSync(file('empty-mask.png'), maskPng(61, 50, 0, 0, 0, 0));
    const empty = cli(['inpaint', '--image', file('in.png'), '--mask', file('empty-mask.png'), '--layout', file('layout.png'), '--fit', 'crop', '--out', file('x.png'), ...MODEL]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/error \[NOTHING_TO_DO\]: Nothing to inpaint: the mask selects no pixels/);
    expect(existsSync(file('x.png'))).toBe(false);
  });
});

describe('tessera batch usage errors', () => {
  it('exits 2 for a bad shard, seeds or layouts', () => {
    const shard = cli(['batch', '--layouts', file('layout.png'), '--seeds', '1-2', '--out', file('b'), '--shard', '3/2', ...MODEL.slice(0, 4)]);
    expect(shard.status).toBe(2);
    expect(shard.stderr).toMatch(/--shard must be k\/n with 1 ≤ k ≤ n/);
    const none = cli(['batch', '--layouts', path.join(tmp, 'nothing-*.png'), '--seeds', '1', '--out', file('b'), ...MODEL.slice(0, 4)]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/no PNG matches/);
  });
});
