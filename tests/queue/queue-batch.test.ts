/**
 * Distributed batches, all real: a private redis-server, `tessera worker` processes on the fixture
 * model, `tessera batch --queue` as a process. One worker is killed with SIGKILL in the middle of
 * a job and another is stopped with SIGTERM in the middle of one; the finished folder must be
 * byte-identical (PNGs, batch.json, contact.png) to the same batch run locally without Redis, with
 * every image reported once, and a rerun must add nothing to the queue. Failures: a worker that
 * cannot make the images is retried up to --attempts with backoff, each image's error lands in
 * batch.json, and a rerun with a capable worker tries them again and completes the folder. A worker
 * stopped twice hands its job back (no attempt spent) for another worker.
 * Skipped, with the reason printed, where redis-server is not installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIndexPng } from '../../shared/labelmap.ts';
import { QUEUE_PREFIX } from '../../shared/queue-target.ts';
import { benchLayout } from '../../electron/cli/bench/layouts.ts';
import { REPO } from '../engine/support/fixture.ts';
import { NO_REDIS_REASON, redisServerPath, startRedis, type RedisServer } from './redis-server.ts';

const binary = redisServerPath();
if (!binary) console.warn(`SKIPPED tests/queue/queue-batch.test.ts: ${NO_REDIS_REASON}`);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-queue-'));
const layouts = path.join(tmp, 'layouts');
mkdirSync(layouts);
// 128×96 and 96×128 on the fixture (grid factor 8): a few hundred milliseconds per image, long enough to be killed in.
writeFileSync(path.join(layouts, 'coast.png'), encodeIndexPng(benchLayout(128, 96, 5)));
writeFileSync(path.join(layouts, 'ridge.png'), encodeIndexPng(benchLayout(96, 128, 5)));
const env = { ...process.env, TESSERA_CACHE_DIR: tmp, TESSERA_THREADS: '1', TESSERA_MODELS_DIR: '' };
const MODEL = ['--model', 'assets/fixtures/tessera-tiny', '--backend', 'cpu'];
const cli = (...args: string[]): string[] => ['--import', 'tsx', 'electron/cli/main.ts', ...args];
const batchArgs = (out: string, ...extra: string[]): string[] => cli('batch', '--layouts', layouts, '--seeds', '1-6', '--out', out, ...MODEL, '--json', ...extra);

type Line = Record<string, unknown> & { type: string };

/** A CLI process whose stdout JSON lines are collected; `until` waits for a line. */
class Proc {
  readonly lines: Line[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr = '';
  private waiters: Array<{ test: (l: Line) => boolean; resolve: (l: Line) => void }> = [];
  onLine: (line: Line) => void = () => undefined;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const text of parts) {
        if (!text.trim()) continue;
        const line = JSON.parse(text) as Line;
        this.lines.push(line);
        this.onLine(line);
        this.waiters = this.waiters.filter((w) => (w.test(line) ? (w.resolve(line), false) : true));
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  until(test: (l: Line) => boolean): Promise<Line> {
    const seen = this.lines.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.waiters.push({ test, resolve });
      void this.exited.then(({ code, signal }) => reject(new Error(`exited (${code ?? signal}) before the line came:\n${this.stderr}`)));
    });
  }

  of(type: string): Line[] {
    return this.lines.filter((l) => l.type === type);
  }
}

let redis: RedisServer;
const procs: Proc[] = [];
const start = (args: string[]): Proc => {
  const p = new Proc(args);
  procs.push(p);
  return p;
};
const worker = (name: string, ...extra: string[]): Proc => start(cli('worker', '--queue', redis.url, ...MODEL, '--name', name, '--lock-duration', '5000', '--json', ...extra));

function runLocal(out: string): Line {
  const r = spawnSync(process.execPath, batchArgs(out), { cwd: REPO, env, encoding: 'utf8', timeout: 180_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Line;
}

async function runQueued(out: string, ...extra: string[]): Promise<{ result: Line; lines: Line[]; code: number | null }> {
  const p = start(batchArgs(out, '--queue', redis.url, ...extra));
  const { code } = await p.exited;
  const result = p.lines.at(-1) as Line;
  expect(result?.type, p.stderr).toBe('result');
  return { result, lines: p.lines, code };
}

const files = (dir: string): string[] => readdirSync(dir).sort();
const jobsOnQueue = async (): Promise<Record<string, number>> => {
  const name = (await queueNames())[0] as string;
  const queue = new Queue(name, { connection: { host: '127.0.0.1', port: redis.port }, prefix: QUEUE_PREFIX });
  try {
    return await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
  } finally {
    await queue.close();
  }
};
async function queueNames(): Promise<string[]> {
  const r = spawnSync('redis-cli', ['-p', String(redis.port), '--scan', '--pattern', `${QUEUE_PREFIX}:*:meta`], { encoding: 'utf8' });
  return r.stdout.trim().split('\n').filter(Boolean).map((k) => k.split(':')[1] as string);
}

describe.skipIf(!binary)('batches through a BullMQ queue on Redis', () => {
  const reference = path.join(tmp, 'local');

  beforeAll(async () => {
    redis = await startRedis(binary as string);
    expect(runLocal(reference)).toMatchObject({ made: 12, failed: 0 });
  });
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await redis?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('three workers, one SIGKILLed and one SIGTERMed mid-job: the folder equals the local batch, and a rerun queues nothing', async () => {
    const workers = [worker('w1'), worker('w2'), worker('w3')];
    await Promise.all(workers.map((w) => w.until((l) => l.type === 'worker.ready')));
    const [victim, stopped, survivor] = workers as [Proc, Proc, Proc];
    // The victim dies at once when it starts its first job: SIGKILL, no cleanup, its lock left to expire.
    victim.onLine = (line) => {
      if (line.type === 'worker.jobStarted') victim.child.kill('SIGKILL');
    };
    // The second is asked to stop (SIGTERM) in the middle of its second job: it finishes that job, then exits.
    let stoppedJob = '';
    stopped.onLine = (line) => {
      if (line.type === 'worker.jobStarted' && stopped.of('worker.jobStarted').length === 2) {
        stoppedJob = String(line.jobId);
        stopped.child.kill('SIGTERM');
      }
    };

    const out = path.join(tmp, 'queued');
    const { result, lines, code } = await runQueued(out);
    expect(code).toBe(0);
    expect(result).toMatchObject({ made: 12, skipped: 0, failed: 0, enqueued: 12 });

    // The killed job: started by the victim, never finished there, made by another worker afterwards.
    const killed = await victim.exited;
    expect(killed.signal).toBe('SIGKILL');
    const killedJob = String((victim.of('worker.jobStarted')[0] as Line).jobId);
    expect(victim.of('worker.jobCompleted')).toEqual([]);
    const madeBy = [stopped, survivor].filter((w) => w.of('worker.jobCompleted').some((l) => l.jobId === killedJob));
    expect(madeBy.length).toBeGreaterThanOrEqual(1);
    // The SIGTERMed worker finished its job in hand, then exited cleanly.
    expect(await stopped.exited).toEqual({ code: 0, signal: null });
    expect(stopped.of('worker.jobCompleted').map((l) => l.jobId)).toContain(stoppedJob);

    // Every image reported and written once. (BullMQ delivers at least once: a worker too slow to renew
    // its lock may make an image another worker also makes; the producer still writes it once.)
    const finished = lines.filter((l) => l.type === 'job.itemFinished').map((l) => l.index as number);
    expect(finished.sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    const completions = workers.flatMap((w) => w.of('worker.jobCompleted').map((l) => String(l.jobId)));
    expect(new Set(completions).size).toBe(12);

    // Byte-identical to the local batch: every PNG, batch.json, contact.png; no temp files.
    expect(files(out)).toEqual(files(reference));
    for (const name of files(reference)) expect(readFileSync(path.join(out, name)).equals(readFileSync(path.join(reference, name))), name).toBe(true);

    // Collected results are removed from Redis; a rerun checks the folder and queues nothing.
    const again = await runQueued(out);
    expect(again.result).toMatchObject({ made: 0, skipped: 12, failed: 0, enqueued: 0 });
    expect(Object.values(await jobsOnQueue()).every((n) => n === 0)).toBe(true);
    survivor.child.kill('SIGTERM');
    expect(await survivor.exited).toEqual({ code: 0, signal: null });
  }, 240_000);

  it('retries a failing image up to --attempts with backoff, reports each error in batch.json, and a rerun completes the folder', async () => {
    // This worker refuses canvases over 64×64: every image fails on it (a retryable error: another worker may allow more).
    const small = worker('small', '--max-size', '64x64');
    await small.until((l) => l.type === 'worker.ready');
    const out = path.join(tmp, 'failing');
    const { result, code } = await runQueued(out, '--attempts', '2', '--backoff', '100');
    expect(code).toBe(1);
    expect(result).toMatchObject({ made: 0, failed: 12, enqueued: 12 });
    const manifest = JSON.parse(readFileSync(path.join(out, 'batch.json'), 'utf8')) as { items: Array<{ state: string; error?: string }> };
    expect(manifest.items).toHaveLength(12);
    for (const item of manifest.items) {
      expect(item.state).toBe('failed');
      expect(item.error).toMatch(/larger than|at most|exceeds|limit|max/i);
    }
    // Two attempts per image, the first announced as retried.
    const failures = small.of('worker.jobFailed');
    expect(failures).toHaveLength(24);
    expect(failures.filter((l) => l.willRetry === true)).toHaveLength(12);
    expect(await jobsOnQueue()).toMatchObject({ failed: 12, waiting: 0, active: 0, delayed: 0 });
    small.child.kill('SIGTERM');
    await small.exited;

    // A rerun with a capable worker tries the failed images again, with fresh attempts.
    const able = worker('able');
    await able.until((l) => l.type === 'worker.ready');
    const rerun = await runQueued(out);
    expect(rerun.code).toBe(0);
    expect(rerun.result).toMatchObject({ made: 12, failed: 0, enqueued: 12 });
    expect(files(out)).toEqual(files(path.join(tmp, 'local')));
    for (const name of files(out)) expect(readFileSync(path.join(out, name)).equals(readFileSync(path.join(tmp, 'local', name))), name).toBe(true);
    able.child.kill('SIGTERM');
    await able.exited;
  }, 240_000);

  it('a worker stopped twice hands its job back to the queue, and another worker makes it', async () => {
    const big = path.join(tmp, 'big');
    mkdirSync(big);
    // 512×512 on the fixture: seconds per image, time for two signals.
    writeFileSync(path.join(big, 'big.png'), encodeIndexPng(benchLayout(512, 512, 5)));
    const first = worker('first');
    await first.until((l) => l.type === 'worker.ready');
    const batch = start(cli('batch', '--layouts', big, '--seeds', '1', '--out', path.join(tmp, 'handed'), ...MODEL, '--json', '--queue', redis.url));
    const started = await first.until((l) => l.type === 'worker.jobStarted');
    first.child.kill('SIGTERM');
    await first.until((l) => l.type === 'worker.note' && String(l.message).startsWith('SIGTERM: finishing'));
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.of('worker.jobHandedBack').map((l) => l.jobId)).toEqual([started.jobId]);
    expect(first.of('worker.jobCompleted')).toEqual([]);
    const second = worker('second');
    expect(await batch.exited).toEqual({ code: 0, signal: null });
    expect(batch.lines.at(-1)).toMatchObject({ type: 'result', made: 1, failed: 0, enqueued: 1 });
    // Handed back, not failed: the second worker's run is still the first attempt.
    expect(second.of('worker.jobStarted')).toMatchObject([{ jobId: started.jobId, attempt: 1 }]);
    second.child.kill('SIGTERM');
    await second.exited;
  }, 240_000);

  it('says what to do when Redis cannot be reached', () => {
    const r = spawnSync(process.execPath, batchArgs(path.join(tmp, 'unreachable'), '--queue', 'redis://127.0.0.1:1'), { cwd: REPO, env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/"code":"QUEUE_UNAVAILABLE".*Cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)\. Start redis-server there/);
    const w = spawnSync(process.execPath, cli('worker', '--queue', 'redis://127.0.0.1:1', ...MODEL), { cwd: REPO, env, encoding: 'utf8', timeout: 60_000 });
    expect(w.status).toBe(1);
    expect(w.stderr).toMatch(/error \[QUEUE_UNAVAILABLE\]: Cannot reach Redis/);
  });
});
