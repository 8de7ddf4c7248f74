/**
 * `tessera batch` as a real process, killed with SIGKILL in the middle of the batch (no chance
 * to clean up), then started again with the same command: it must make exactly the missing
 * images, leave no temp file, keep the finished files untouched, and end with a folder that is
 * byte-identical to an uninterrupted run's.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIndexPng } from '../../shared/labelmap.ts';
import { benchLayout } from '../../electron/cli/bench/layouts.ts';
import { REPO } from '../engine/support/fixture.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-batch-kill-'));
const layouts = path.join(tmp, 'layouts');
mkdirSync(layouts);
writeFileSync(path.join(layouts, 'coast.png'), encodeIndexPng(benchLayout(64, 48, 5)));
writeFileSync(path.join(layouts, 'ridge.png'), encodeIndexPng(benchLayout(48, 64, 5)));
const env = { ...process.env, TESSERA_CACHE_DIR: tmp, TESSERA_THREADS: '1', TESSERA_MODELS_DIR: '' };
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const args = (out: string): string[] => ['--import', 'tsx', 'electron/cli/main.ts', 'batch', '--layouts', layouts, '--seeds', '1-6', '--out', out, '--model', 'assets/fixtures/tessera-tiny', '--backend', 'cpu', '--group-size', '2', '--json'];

interface ResultLine {
  type: 'result';
  made: number;
  skipped: number;
  failed: number;
}

function runToEnd(out: string): ResultLine {
  const r = spawnSync(process.execPath, args(out), { cwd: REPO, env, encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as ResultLine;
}

/** Starts the batch and SIGKILLs it once `after` images are reported finished. */
function runAndKill(out: string, after: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args(out), { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let finished = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.includes('"type":"job.itemFinished"') && ++finished === after) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(finished) : reject(new Error(`the batch ended (${code}) before it was killed`))));
  });
}

const pngs = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.png') && n !== 'contact.png').sort();

describe('tessera batch, killed with SIGKILL', () => {
  it('resumes with exactly the missing images, byte-identical to an uninterrupted run', async () => {
    const whole = path.join(tmp, 'whole');
    expect(runToEnd(whole)).toMatchObject({ made: 12, skipped: 0, failed: 0 });

    const killed = path.join(tmp, 'killed');
    // Killed after the 3rd image: the 4th (same group) may be anywhere between sampling and rename.
    await runAndKill(killed, 3);
    const survivors = pngs(killed);
    expect(survivors.length).toBeGreaterThanOrEqual(3);
    expect(survivors.length).toBeLessThan(12);
    const mtimes = new Map(survivors.map((n) => [n, statSync(path.join(killed, n)).mtimeMs]));

    const resumed = runToEnd(killed);
    expect(resumed).toMatchObject({ made: 12 - survivors.length, skipped: survivors.length, failed: 0 });
    // Finished files were checked, not rewritten.
    for (const [n, t] of mtimes) expect(statSync(path.join(killed, n)).mtimeMs).toBe(t);
    expect(readdirSync(killed).filter((n) => n.startsWith('.'))).toEqual([]);
    const names = readdirSync(whole).filter((n) => n.endsWith('.png')).sort();
    expect(readdirSync(killed).filter((n) => n.endsWith('.png')).sort()).toEqual(names);
    for (const n of names) expect(readFileSync(path.join(killed, n)).equals(readFileSync(path.join(whole, n))), n).toBe(true);
  });
});
