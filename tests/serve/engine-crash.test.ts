/**
 * Serve mode with the real engine in its child process, killed with SIGKILL in the middle of a job
 * (what a native onnxruntime abort or the kernel's OOM killer does). The server must survive it:
 * the job fails with a reason, the pending request gets ENGINE_CRASHED, HTTP still answers, the
 * supervisor starts a new child, the socket gets `engine.restarted` and its next job succeeds.
 * Before the engine moved into a child, the kill took the whole server down with it.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EngineMessage, RequestInput } from '../../shared/protocol.ts';
import { decodeWire, encodeWire } from '../../shared/wire.ts';
import { startServe, type ServeHandle } from '../../electron/serve/server.ts';
import { FIXTURE_DIR, referenceLayouts } from '../engine/support/fixture.ts';

const TOKEN = 'engine-crash-token-0123456789';
const MODEL = 'tessera-tiny-fixture';
const settings = { seed: 3, temperature: 1, topK: 8, topP: 1, sampler: 'exact', stride: 1, decodedPreviews: false } as const;
/** Long enough on the tiny fixture (1024 tokens, one window step each) to be killed midway. */
const bigLayout = { width: 256, height: 256, data: new Uint8Array(256 * 256) };
const fixtureLayout = referenceLayouts()[2]!.layout;
const smallLayout = { width: fixtureLayout.width, height: fixtureLayout.height, data: new Uint8Array(fixtureLayout.data) };

let handle: ServeHandle;
const logLines: string[] = [];
const savedCacheDir = process.env.TESSERA_CACHE_DIR;

beforeAll(async () => {
  const dist = mkdtempSync(path.join(os.tmpdir(), 'tessera-dist-'));
  mkdirSync(path.join(dist, 'assets'));
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>t</title>');
  // The child inherits this environment: keep its hash cache out of the user's.
  process.env.TESSERA_CACHE_DIR = mkdtempSync(path.join(os.tmpdir(), 'tessera-crash-cache-'));
  handle = await startServe({ port: 0, token: TOKEN, rendererDir: dist, outDir: path.join(dist, 'out'), modelDirs: [path.dirname(FIXTURE_DIR)], backend: 'cpu', log: (line) => logLines.push(line) });
});

afterAll(async () => {
  await handle?.close();
  if (savedCacheDir === undefined) delete process.env.TESSERA_CACHE_DIR;
  else process.env.TESSERA_CACHE_DIR = savedCacheDir;
});

/** An authenticated page socket and everything it received. */
async function openPage(): Promise<{ ws: WebSocket; received: EngineMessage[]; send(request: RequestInput): void; waitFor<T extends EngineMessage>(match: (m: EngineMessage) => m is T, what: string, timeoutMs?: number): Promise<T> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${handle.port}/ws?token=${TOKEN}`, { origin: `http://127.0.0.1:${handle.port}` });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const received: EngineMessage[] = [];
  ws.on('message', (data) => received.push(decodeWire(String(data)) as EngineMessage));
  return {
    ws,
    received,
    send: (request) => ws.send(encodeWire(request)),
    async waitFor(match, what, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(match);
        if (found) return found;
        if (Date.now() > until) throw new Error(`no ${what} within ${timeoutMs} ms; received ${received.map((m) => m.type).join(', ')}; log: ${logLines.join(' | ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

const isReply = (id: string) => (m: EngineMessage): m is Extract<EngineMessage, { type: 'reply' }> => m.type === 'reply' && m.id === id;
const isEvent = <K extends EngineMessage['type']>(type: K, jobId?: string) => (m: EngineMessage): m is Extract<EngineMessage, { type: K }> => m.type === type && (jobId === undefined || ('jobId' in m && m.jobId === jobId));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('serve mode with the engine in a child process', () => {
  it('still cancels the jobs of a page that goes away', async () => {
    const leaving = await openPage();
    const staying = await openPage();
    leaving.send({ type: 'job.generate', id: 'b1', jobId: 'abandoned', model: MODEL, layout: { width: 512, height: 512, data: new Uint8Array(512 * 512) }, settings });
    await leaving.waitFor(isEvent('job.progressed', 'abandoned'), 'progress of the abandoned job');
    leaving.ws.close();
    // Far less than the job's own run time (4096 tokens): it is no longer in the engine's queue.
    await new Promise((r) => setTimeout(r, 1000));
    staying.send({ type: 'job.cancel', id: 'c1', jobId: 'abandoned' });
    expect(await staying.waitFor(isReply('c1'), 'the reply to c1')).toMatchObject({ ok: true, value: { cancelled: false } });
    staying.ws.close();
  });

  it('survives SIGKILL of the engine in the middle of a job, fails what was in flight, restarts, and runs the next job', async () => {
    const page = await openPage();
    page.send({ type: 'job.generate', id: 'g1', jobId: 'doomed', model: MODEL, layout: bigLayout, settings });
    // Queued behind the first job in the engine's one job queue: pending too when the engine dies.
    page.send({ type: 'job.generate', id: 'g2', jobId: 'queued', model: MODEL, layout: smallLayout, settings });
    await page.waitFor(isEvent('job.progressed', 'doomed'), 'progress of the first job');

    const pid = handle.enginePid();
    expect(pid, 'the engine runs in a child process').toBeTypeOf('number');
    expect(pid).not.toBe(process.pid);
    process.kill(pid as number, 'SIGKILL');

    const failed = await page.waitFor(isEvent('job.failed', 'doomed'), 'job.failed');
    expect(failed.error).toMatchObject({ code: 'ENGINE_CRASHED', message: expect.stringMatching(/SIGKILL.*restarting the engine; run it again in a moment/) });
    expect(await page.waitFor(isReply('g1'), 'the reply to g1')).toMatchObject({ ok: false, error: { code: 'ENGINE_CRASHED' } });
    expect(await page.waitFor(isReply('g2'), 'the reply to g2')).toMatchObject({ ok: false, error: { code: 'ENGINE_CRASHED' } });
    expect(page.received.some(isEvent('job.failed', 'queued'))).toBe(true);
    expect(page.received.some(isEvent('job.finished', 'doomed'))).toBe(false);

    // The server itself never went down.
    expect((await fetch(`http://127.0.0.1:${handle.port}/?token=${TOKEN}`)).status).toBe(200);
    expect(page.ws.readyState).toBe(WebSocket.OPEN);

    const restarted = await page.waitFor(isEvent('engine.restarted'), 'engine.restarted');
    expect(restarted.reason).toMatch(/SIGKILL/);
    const newPid = handle.enginePid();
    expect(newPid).toBeTypeOf('number');
    expect(newPid).not.toBe(pid);

    page.send({ type: 'job.generate', id: 'g3', jobId: 'after', model: MODEL, layout: smallLayout, settings });
    const reply = await page.waitFor(isReply('g3'), 'the reply to g3');
    expect(reply.ok, JSON.stringify(reply)).toBe(true);
    expect(page.received.some(isEvent('job.finished', 'after'))).toBe(true);
    expect(logLines.some((l) => /SIGKILL/.test(l))).toBe(true);
    page.ws.close();
  });

  it('ends the engine child on close', async () => {
    const pid = handle.enginePid();
    expect(pid).toBeTypeOf('number');
    await handle.close();
    expect(alive(pid as number)).toBe(false);
  });
});
