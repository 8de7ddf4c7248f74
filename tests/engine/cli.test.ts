/**
 * The CLI as a user runs it (a real process, real files): generate writes the same PNG twice,
 * matching the reference tokens; --reproduce regenerates it from the PNG alone; exit codes 0, 2,
 * 3 and 130 (SIGINT in the middle of a job); models list/info/verify.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decode, encode } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { chwToRgba } from '../../engine/image.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import { FIXTURE_DIR, REPO, referenceLayouts } from './support/fixture.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-cli-'));
const LAYOUT = path.join(REPO, 'tests', 'engine', 'fixtures', 'stripes-48x56.png');
const env = { ...process.env, TESSERA_CACHE_DIR: tmp, TESSERA_THREADS: '2', TESSERA_MODELS_DIR: '' };
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', ...args], { cwd: REPO, env, encoding: 'utf8', timeout: 60_000 });
}

describe('tessera CLI', () => {
  it('generates the same PNG twice, with the reference tokens, and reproduces it from the PNG', async () => {
    const outs = [path.join(tmp, 'a.png'), path.join(tmp, 'b.png'), path.join(tmp, 'c.png')];
    const tokensFile = path.join(tmp, 'a.tokens.json');
    for (const out of outs.slice(0, 2)) {
      const extra = out === outs[0] ? ['--tokens-out', tokensFile] : [];
      const r = cli(['generate', '--layout', LAYOUT, '--model', 'assets/fixtures/tessera-tiny', '--out', out, '--seed', '7', '--backend', 'cpu', ...extra]);
      expect(r.stderr).toContain('wrote');
      expect(r.status).toBe(0);
    }
    const a = readFileSync(outs[0]!);
    expect(readFileSync(outs[1]!).equals(a)).toBe(true);
    const again = cli(['generate', '--reproduce', outs[0]!, '--out', outs[2]!]);
    expect(again.status).toBe(0);
    expect(readFileSync(outs[2]!).equals(a)).toBe(true);

    // The image is the decode of the Python reference sampler's tokens (manifest defaults: cached, stride 2, top-k 8).
    const ref = referenceLayouts()[0]!;
    const c = ref.cases.find((x) => x.name === 'cached-stride2-topk8')!;
    const dump = JSON.parse(readFileSync(tokensFile, 'utf8')) as { rows: number; cols: number; tokens: number[]; entropy: number[] };
    expect([dump.rows, dump.cols]).toEqual([ref.tokenRows, ref.tokenCols]);
    expect(dump.tokens).toEqual(c.tokens[0]!.flat());
    expect(dump.entropy).toHaveLength(dump.tokens.length);
    const engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER });
    const model = await engine.model(FIXTURE_DIR, 'cpu');
    const chw = await model.decodeTokens([c.tokens[0]!.flat()], { rows: ref.tokenRows, cols: ref.tokenCols });
    await engine.dispose();
    const expected = chwToRgba(chw, 0, 56, 48);
    const png = decode(new Uint8Array(a));
    expect(png.channels).toBe(3);
    for (let i = 0; i < 56 * 48; i++) for (let k = 0; k < 3; k++) expect(png.data[3 * i + k]).toBe(expected[4 * i + k]);
    const params = JSON.parse((png.text as Record<string, string>)['tessera:parameters']!);
    expect(params).toMatchObject({ model: { id: 'tessera-tiny-fixture' }, settings: { seed: 7, sampler: 'cached', stride: 2, topK: 8 }, backend: 'cpu' });
  });

  it('runs the parallel sampler with --lead: the Python reference tokens, the lead recorded and reproduced', () => {
    const out = path.join(tmp, 'par.png');
    const tokensFile = path.join(tmp, 'par.tokens.json');
    const r = cli(['generate', '--layout', LAYOUT, '--model', 'assets/fixtures/tessera-tiny', '--out', out, '--seed', '7', '--backend', 'cpu', '--sampler', 'parallel', '--lead', '2', '--tokens-out', tokensFile]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('parallel lead 2');
    const c = referenceLayouts()[0]!.cases.find((x) => x.name === 'parallel-lead2-topk8')!;
    expect((JSON.parse(readFileSync(tokensFile, 'utf8')) as { tokens: number[] }).tokens).toEqual(c.tokens[0]!.flat());
    const params = JSON.parse((decode(new Uint8Array(readFileSync(out))).text as Record<string, string>)['tessera:parameters']!);
    expect(params).toMatchObject({ settings: { seed: 7, sampler: 'parallel', lead: 2 } });
    const again = cli(['generate', '--reproduce', out, '--out', path.join(tmp, 'par-again.png')]);
    expect(again.status).toBe(0);
    expect(readFileSync(path.join(tmp, 'par-again.png')).equals(readFileSync(out))).toBe(true);
    const bad = cli(['generate', '--layout', LAYOUT, '--model', 'assets/fixtures/tessera-tiny', '--out', path.join(tmp, 'x.png'), '--sampler', 'parallel', '--lead', '0']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--lead');
  });

  it('exits 2 for bad input, naming unknown colours and sizes that would work', () => {
    const bad = path.join(tmp, 'bad.png');
    const rgb = new Uint8Array(32 * 32 * 3).fill(200);
    writeFileSync(bad, encode({ width: 32, height: 32, data: rgb, channels: 3, depth: 8 }));
    const colours = cli(['generate', '--layout', bad, '--model', 'assets/fixtures/tessera-tiny', '--out', path.join(tmp, 'x.png'), '--backend', 'cpu']);
    expect(colours.status).toBe(2);
    expect(colours.stderr).toContain('error [UNKNOWN_COLOURS]');
    expect(colours.stderr).toContain('#c8c8c8 (1024 px');
    const size = cli(['generate', '--layout', LAYOUT, '--size', '60x48', '--model', 'assets/fixtures/tessera-tiny', '--out', path.join(tmp, 'x.png'), '--backend', 'cpu', '--json']);
    expect(size.status).toBe(2);
    expect(JSON.parse(size.stdout.trim().split('\n').at(-1)!)).toMatchObject({ type: 'error', error: { code: 'BAD_CANVAS_SIZE' } });
    const usage = cli(['generate', '--layout', LAYOUT, '--seed', 'abc', '--out', path.join(tmp, 'x.png')]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('--seed must be an integer');
    expect(existsSync(path.join(tmp, 'x.png'))).toBe(false);
  });

  it('exits 3 for model errors, and lists, describes and verifies models', () => {
    const missing = cli(['generate', '--layout', LAYOUT, '--model', 'no-such-model', '--out', path.join(tmp, 'x.png'), '--backend', 'cpu']);
    expect(missing.status).toBe(3);
    expect(missing.stderr).toContain('error [MODEL_NOT_FOUND]');
    const verify = cli(['models', 'verify', 'assets/fixtures/tessera-tiny']);
    expect(verify.status).toBe(0);
    expect(verify.stdout).toContain('all checks passed');
    const info = cli(['models', 'info', 'assets/fixtures/tessera-tiny']);
    expect(info.stdout).toContain('fixture-mountain');
    const list = cli(['models', 'list', '--models-dir', 'assets/fixtures', '--json']);
    expect(JSON.parse(list.stdout).models.map((m: { id: string }) => m.id)).toContain('tessera-tiny-fixture');
    expect(cli(['generate', '--help']).status).toBe(0);
  });

  it('exits 130 on SIGINT in the middle of a job, without writing the output', async () => {
    const out = path.join(tmp, 'cancelled.png');
    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', 'generate', '--layout', LAYOUT, '--size', '512x512', '--sampler', 'exact', '--model', 'assets/fixtures/tessera-tiny', '--out', out, '--json', '--backend', 'cpu'], { cwd: REPO, env });
    let stdout = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('"job.progressed"') && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code).toBe(130);
    expect(stdout).toContain('"CANCELLED"');
    expect(existsSync(out)).toBe(false);
  });
});
