import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EngineMessage } from '../../shared/protocol.ts';
import { decodeWire, encodeWire } from '../../shared/wire.ts';
import type { ServeHandle } from './server.ts';
import { startServe } from './server.ts';

const TOKEN = 'test-token-0123456789abcdef';
let handle: ServeHandle;
const handled: unknown[] = [];
const cancelled: string[] = [];

beforeAll(async () => {
  const dist = mkdtempSync(path.join(os.tmpdir(), 'tessera-dist-'));
  mkdirSync(path.join(dist, 'assets'));
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(path.join(dist, 'assets', 'a.js'), 'console.log(1)');
  handle = await startServe({
    port: 0,
    token: TOKEN,
    rendererDir: dist,
    outDir: path.join(dist, 'out'),
    log: () => undefined,
    createEngine: async () => ({ cancel: (id) => (cancelled.push(id), true), dispose: async () => undefined }),
    createHost: async (send: (m: EngineMessage) => void) => ({
      handle(message: unknown) {
        handled.push(message);
        const m = message as { id: string; type: string };
        send({ type: 'reply', id: m.id, ok: true, value: [] });
      },
      dispose: async () => undefined,
    }),
  });
});

afterAll(() => handle.close());

const base = (): string => `http://127.0.0.1:${handle.port}`;

function openSocket(query: string, origin: string | undefined): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${handle.port}/ws${query}`, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(String(res.statusCode))));
    ws.once('error', reject);
  });
}

describe('serve mode', () => {
  it('prints a loopback URL with the token', () => {
    expect(handle.url).toBe(`http://127.0.0.1:${handle.port}/?token=${TOKEN}`);
  });

  it('serves the studio only with the token, with strict headers and a session cookie', async () => {
    expect((await fetch(`${base()}/`)).status).toBe(401);
    expect((await fetch(`${base()}/?token=wrong`)).status).toBe(401);
    const ok = await fetch(`${base()}/?token=${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(ok.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const cookie = ok.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    const asset = await fetch(`${base()}/assets/a.js`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(asset.status).toBe(200);
    expect((await fetch(`${base()}/../../etc/passwd?token=${TOKEN}`)).status).toBe(404);
    expect((await fetch(`${base()}/?token=${TOKEN}`, { method: 'POST' })).status).toBe(405);
  });

  it('rejects sockets from other origins or without the token', async () => {
    const origin = `http://127.0.0.1:${handle.port}`;
    await expect(openSocket(`?token=${TOKEN}`, 'http://evil.example')).rejects.toThrow('403');
    await expect(openSocket('?token=nope', origin)).rejects.toThrow('401');
    const ws = await openSocket(`?token=${TOKEN}`, origin);
    ws.close();
  });

  it('validates messages with zod before the host sees them, and confines batch output', async () => {
    const ws = await openSocket(`?token=${TOKEN}`, `http://127.0.0.1:${handle.port}`);
    const replies: Array<Record<string, unknown>> = [];
    ws.on('message', (d) => replies.push(decodeWire(String(d)) as Record<string, unknown>));
    const wait = (n: number): Promise<void> => new Promise((r) => { const t = setInterval(() => { if (replies.length >= n) { clearInterval(t); r(); } }, 10); });
    ws.send(encodeWire({ type: 'models.list', id: 'a' }));
    ws.send(encodeWire({ type: 'models.list', id: 'b', extra: 1 }));
    const layout = { width: 8, height: 8, data: new Uint8Array(64) };
    const settings = { seed: 1, temperature: 1, topK: 0, topP: 1, sampler: 'exact', stride: 1 };
    ws.send(encodeWire({ type: 'job.batch', id: 'c', jobId: 'j1', model: 'm', layouts: [{ name: 'x', layout }], seeds: [1], settings, outDir: '../../escape' }));
    ws.send(encodeWire({ type: 'job.batch', id: 'd', jobId: 'j2', model: 'm', layouts: [{ name: 'x', layout }], seeds: [1], settings, outDir: 'lakes' }));
    await wait(4);
    const byId = Object.fromEntries(replies.map((r) => [r.id, r]));
    expect(byId.a).toMatchObject({ ok: true });
    expect(byId.b).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(byId.c).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(byId.d).toMatchObject({ ok: true });
    const batch = handled.find((m) => (m as { id: string }).id === 'd') as { outDir: string };
    expect(batch.outDir).toBe(path.join(handle.outDir, 'lakes'));
    expect(handled.some((m) => (m as { id: string }).id === 'b')).toBe(false);
    ws.close();
    await new Promise((r) => setTimeout(r, 100));
    // Closing the page cancels the jobs it started.
    expect(cancelled).toContain('j2');
  });
});
