import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
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

  it('loads models by id only: a path is refused without reaching the engine or saying what is there', async () => {
    const ws = await openSocket(`?token=${TOKEN}`, `http://127.0.0.1:${handle.port}`);
    const replies: Array<Record<string, unknown>> = [];
    ws.on('message', (d) => replies.push(decodeWire(String(d)) as Record<string, unknown>));
    const refs = ['/etc', '../../../../etc', './models/x', 'C:\\models\\x', '/dev/zero'];
    refs.forEach((model, i) => ws.send(encodeWire({ type: i % 2 ? 'model.verify' : 'model.load', id: `p${i}`, model })));
    await new Promise<void>((r) => { const t = setInterval(() => { if (replies.length >= refs.length) { clearInterval(t); r(); } }, 10); });
    for (const reply of replies) {
      expect(reply).toMatchObject({ ok: false, error: { code: 'MODEL_NOT_FOUND', message: expect.stringMatching(/by id .*not by path/) } });
    }
    expect(new Set(replies.map((r) => (r.error as { message: string }).message)).size).toBe(1);
    expect(handled.some((m) => /^p\d$/.test((m as { id: string }).id))).toBe(false);
    ws.close();
  });

  it('lets a page cancel only the jobs it started', async () => {
    const origin = `http://127.0.0.1:${handle.port}`;
    const [a, b] = await Promise.all([openSocket(`?token=${TOKEN}`, origin), openSocket(`?token=${TOKEN}`, origin)]);
    const replies: Array<Record<string, unknown>> = [];
    for (const ws of [a, b]) ws.on('message', (d) => replies.push(decodeWire(String(d)) as Record<string, unknown>));
    const until = (id: string): Promise<Record<string, unknown>> =>
      new Promise((r) => { const t = setInterval(() => { const m = replies.find((x) => x.id === id); if (m) { clearInterval(t); r(m); } }, 10); });
    const layout = { width: 8, height: 8, data: new Uint8Array(64) };
    const settings = { seed: 1, temperature: 1, topK: 0, topP: 1, sampler: 'exact', stride: 1 };
    a.send(encodeWire({ type: 'job.generate', id: 'a-gen', jobId: 'page-a-job', model: 'm', layout, settings }));
    await until('a-gen');
    b.send(encodeWire({ type: 'job.cancel', id: 'b-cancel', jobId: 'page-a-job' }));
    expect(await until('b-cancel')).toMatchObject({ ok: true, value: { cancelled: false } });
    expect(handled.some((m) => (m as { id: string }).id === 'b-cancel')).toBe(false);
    a.send(encodeWire({ type: 'job.cancel', id: 'a-cancel', jobId: 'page-a-job' }));
    await until('a-cancel');
    expect(handled.some((m) => (m as { id: string }).id === 'a-cancel')).toBe(true);
    a.close();
    b.close();
  });
});

/** A raw TCP client: ws clients refuse to send malformed frames, so the attacks are written by hand. */
function rawUpgrade(port: number): Promise<import('node:net').Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(
        [
          `GET /ws?token=${TOKEN} HTTP/1.1`,
          `Host: 127.0.0.1:${port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Version: 13',
          `Origin: http://127.0.0.1:${port}`,
          '',
          '',
        ].join('\r\n'),
      );
    });
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (head.startsWith('HTTP/1.1 101')) resolve(socket);
      else reject(new Error(head.split('\r\n')[0]));
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}

/** Sends `frame` and resolves with the close code of the server's close frame (null: no close frame). */
function closeCodeAfter(socket: import('node:net').Socket, frame: Buffer): Promise<number | null> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    socket.on('close', () => {
      // Server frames are unmasked: 0x88, a 7-bit length, then a 2-byte status code.
      const at = received.indexOf(0x88);
      resolve(at >= 0 && received.length >= at + 4 ? received.readUInt16BE(at + 2) : null);
    });
    socket.on('error', () => undefined);
    socket.write(frame);
  });
}

function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]);
}

describe('serve mode survives malformed WebSocket frames', () => {
  it('closes only the offending socket: invalid UTF-8 → 1007, a length over maxPayload → 1009, unmasked → 1002', async () => {
    const bystander = await openSocket(`?token=${TOKEN}`, `http://127.0.0.1:${handle.port}`);
    const badUtf8 = await rawUpgrade(handle.port);
    expect(await closeCodeAfter(badUtf8, maskedFrame(0x1, Buffer.from([0xff, 0xfe, 0xfd])))).toBe(1007);
    const oversize = await rawUpgrade(handle.port);
    // 127 = a 64-bit length follows: 2^40 bytes, far over the server's maxPayload.
    const header = Buffer.from([0x81, 0x80 | 127, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
    expect(await closeCodeAfter(oversize, header)).toBe(1009);
    const unmasked = await rawUpgrade(handle.port);
    expect(await closeCodeAfter(unmasked, Buffer.from([0x81, 0x02, 0x7b, 0x7d]))).toBe(1002);
    // The server still answers, and a page that was already connected keeps its socket.
    expect((await fetch(`${base()}/?token=${TOKEN}`)).status).toBe(200);
    const reply = new Promise<unknown>((resolve) => bystander.once('message', (d) => resolve(decodeWire(String(d)))));
    bystander.send(encodeWire({ type: 'models.list', id: 'after-attack' }));
    expect(await reply).toMatchObject({ id: 'after-attack', ok: true });
    bystander.close();
  });

  it('answers a malformed token cookie with 401 on HTTP and on the socket upgrade, and keeps serving', async () => {
    const cookie = { cookie: 'tessera_token=%E0%A4%A' };
    expect((await fetch(`${base()}/`, { headers: cookie })).status).toBe(401);
    const status = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(handle.port, '127.0.0.1', () =>
        socket.write(
          `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${handle.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:${handle.port}\r\nCookie: tessera_token=%E0%A4%A\r\n\r\n`,
        ),
      );
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString()));
      socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
      socket.on('error', reject);
    });
    expect(status).toBe('HTTP/1.1 401 Unauthorized');
    expect((await fetch(`${base()}/?token=${TOKEN}`)).status).toBe(200);
  });

  it('refuses a 127.* Host name with 421 (DNS rebinding)', async () => {
    const status = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(handle.port, '127.0.0.1', () => socket.write(`GET /?token=${TOKEN} HTTP/1.1\r\nHost: 127.evil.example:${handle.port}\r\nConnection: close\r\n\r\n`));
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString()));
      socket.on('end', () => resolve(text.split('\r\n')[0] ?? ''));
      socket.on('error', reject);
    });
    expect(status).toBe('HTTP/1.1 421 Misdirected Request');
  });
});
