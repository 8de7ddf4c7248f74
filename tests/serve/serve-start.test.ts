/**
 * Starting serve mode the way people do: a second `npm start` while the first is open, a port held
 * by another program, HTTPS for a remote engine. The engine is a stand-in (these tests are about the
 * front door); the real engine behind serve mode is covered by the e2e suite.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EngineMessage } from '../../shared/protocol.ts';
import { decodeWire, encodeWire } from '../../shared/wire.ts';
import { openOrStartStudio } from '../../electron/launcher/serve-fallback.ts';
import { findRunningStudio, instanceRecordPath } from '../../electron/serve/instance-record.ts';
import { PortInUseError } from '../../electron/serve/listen.ts';
import { parseServeArgs } from '../../electron/serve/options.ts';
import { startServe, type ServeHandle, type ServeOptions } from '../../electron/serve/server.ts';
import { resolveTls, TlsSetupError } from '../../electron/serve/tls.ts';

function fakeStudio(): Pick<ServeOptions, 'rendererDir' | 'outDir' | 'log' | 'createEngine' | 'createHost' | 'token'> {
  const dist = mkdtempSync(path.join(os.tmpdir(), 'tessera-dist-'));
  mkdirSync(path.join(dist, 'assets'));
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>t</title>');
  return {
    rendererDir: dist,
    outDir: path.join(dist, 'out'),
    token: 'serve-start-token-0123456789',
    log: () => undefined,
    createEngine: async () => ({ cancel: () => true, dispose: async () => undefined }),
    createHost: async (send: (m: EngineMessage) => void) => ({
      handle(message: unknown) {
        const m = message as { id: string };
        send({ type: 'reply', id: m.id, ok: true, value: [] });
      },
      dispose: async () => undefined,
    }),
  };
}

/** Another program holding a port. */
async function occupyPort(): Promise<{ port: number; close(): Promise<void> }> {
  const other = http.createServer((_req, res) => res.end('not tessera'));
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  return { port: (other.address() as AddressInfo).port, close: () => new Promise((r) => other.close(() => r())) };
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('a second npm start', () => {
  it('opens the studio that is already running instead of failing with EADDRINUSE', async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-state-'));
    const first = await openOrStartStudio(stateDir, { ...fakeStudio(), port: 0 });
    expect(first.kind).toBe('started');
    if (first.kind !== 'started') return;
    cleanup.push(() => first.handle.close());
    const second = await openOrStartStudio(stateDir, { ...fakeStudio(), port: first.handle.port });
    expect(second).toEqual({ kind: 'opened-running', url: first.handle.url });
    await first.handle.close();
    // Closed: the record is gone and the next start starts afresh.
    expect(await findRunningStudio(instanceRecordPath(stateDir))).toBeNull();
  });

  it('takes a free port, and says so, when another program holds the default one', async () => {
    const other = await occupyPort();
    cleanup.push(() => other.close());
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-state-'));
    const start = await openOrStartStudio(stateDir, { ...fakeStudio(), port: other.port });
    expect(start.kind).toBe('started');
    if (start.kind !== 'started') return;
    cleanup.push(() => start.handle.close());
    expect(start.handle.port).not.toBe(other.port);
    expect(start.note).toBe(`Port ${other.port} is in use by another program, so this studio took port ${start.handle.port}.`);
    expect((await fetch(start.handle.url)).status).toBe(200);
  });

  it('ignores a stale record (the studio was killed) and a record whose server does not know the token', async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-state-'));
    const record = instanceRecordPath(stateDir);
    writeFileSync(record, JSON.stringify({ format: 'tessera-serve-instance', version: 1, pid: 2 ** 22 + 7, url: 'http://127.0.0.1:9/?token=x', startedAt: '' }));
    expect(await findRunningStudio(record)).toBeNull();
    const other = await occupyPort();
    cleanup.push(() => other.close());
    // A live pid (this test's parent) but a port now held by another program: its answer is not 200 for us.
    writeFileSync(record, JSON.stringify({ format: 'tessera-serve-instance', version: 1, pid: process.ppid, url: `http://127.0.0.1:${other.port}/?token=x`, startedAt: '' }));
    const hijacked = http.createServer((_req, res) => res.writeHead(401).end());
    await new Promise<void>((resolve) => hijacked.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((r) => hijacked.close(() => r())));
    writeFileSync(record, JSON.stringify({ format: 'tessera-serve-instance', version: 1, pid: process.ppid, url: `http://127.0.0.1:${(hijacked.address() as AddressInfo).port}/?token=x`, startedAt: '' }));
    expect(await findRunningStudio(record)).toBeNull();
    writeFileSync(record, '{not json');
    expect(await findRunningStudio(record)).toBeNull();
  });

  it('refuses a busy port the user chose, saying what to do', async () => {
    const other = await occupyPort();
    cleanup.push(() => other.close());
    const error = await startServe({ ...fakeStudio(), port: other.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortInUseError);
    expect(String((error as Error).message)).toMatch(/--port 0/);
  });
});

describe('TLS for a remote engine', () => {
  it('defaults to TLS beyond loopback and parses the choices', () => {
    expect(parseServeArgs(['--host', '0.0.0.0']).tlsChoice).toEqual({ kind: 'self-signed' });
    expect(parseServeArgs([]).tlsChoice).toEqual({ kind: 'off' });
    expect(parseServeArgs(['--host', '0.0.0.0', '--no-tls']).tlsChoice).toEqual({ kind: 'off' });
    expect(parseServeArgs(['--tls']).tlsChoice).toEqual({ kind: 'self-signed' });
    expect(parseServeArgs(['--tls-cert', 'c.pem', '--tls-key', 'k.pem']).tlsChoice).toEqual({ kind: 'files', certFile: 'c.pem', keyFile: 'k.pem' });
    expect(() => parseServeArgs(['--tls-cert', 'c.pem'])).toThrow(/go together/);
    expect(() => parseServeArgs(['--tls', '--no-tls'])).toThrow(/Choose one/);
  });

  it('makes a self-signed certificate once, keeps it, and serves HTTPS and WSS with it', async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-tls-'));
    const tls = await resolveTls({ kind: 'self-signed', stateDir, hostNames: [] });
    expect(tls.source).toBe('self-signed (new)');
    const again = await resolveTls({ kind: 'self-signed', stateDir, hostNames: [] });
    expect(again.source).toBe('self-signed (kept)');
    expect(again.fingerprint256).toBe(tls.fingerprint256);

    const handle: ServeHandle = await startServe({ ...fakeStudio(), port: 0, tls });
    cleanup.push(() => handle.close());
    expect(handle.url.startsWith('https://127.0.0.1:')).toBe(true);
    expect(handle.tlsFingerprint).toBe(tls.fingerprint256);
    // Trust exactly this certificate (as a user does after checking the fingerprint); its names cover 127.0.0.1.
    const seen = await new Promise<{ status: number; fingerprint: string; cookie: string }>((resolve, reject) => {
      const req = https.get(handle.url, { ca: tls.cert }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, fingerprint: (res.socket as TLSSocket).getPeerCertificate().fingerprint256, cookie: String(res.headers['set-cookie'] ?? '') });
      });
      req.on('error', reject);
    });
    expect(seen).toMatchObject({ status: 200, fingerprint: tls.fingerprint256 });
    expect(seen.cookie).toMatch(/; Secure/);
    const ws = new WebSocket(`wss://127.0.0.1:${handle.port}/ws?token=${handle.token}`, { origin: `https://127.0.0.1:${handle.port}`, ca: tls.cert });
    const reply = await new Promise<unknown>((resolve, reject) => {
      ws.once('open', () => ws.send(encodeWire({ type: 'models.list', id: 'over-tls' })));
      ws.once('message', (d) => resolve(decodeWire(String(d))));
      ws.once('error', reject);
    });
    expect(reply).toMatchObject({ id: 'over-tls', ok: true });
    ws.close();
    // Plain HTTP to the TLS port gets nothing usable.
    await expect(fetch(`http://127.0.0.1:${handle.port}/?token=${handle.token}`)).rejects.toThrow();
  });

  it('refuses a certificate and key that do not belong together, or files that are missing', async () => {
    const a = await resolveTls({ kind: 'self-signed', stateDir: mkdtempSync(path.join(os.tmpdir(), 'tessera-tls-')), hostNames: [] });
    const b = await resolveTls({ kind: 'self-signed', stateDir: mkdtempSync(path.join(os.tmpdir(), 'tessera-tls-')), hostNames: [] });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-pem-'));
    writeFileSync(path.join(dir, 'cert.pem'), a.cert);
    writeFileSync(path.join(dir, 'key.pem'), b.key);
    await expect(resolveTls({ kind: 'files', certFile: path.join(dir, 'cert.pem'), keyFile: path.join(dir, 'key.pem') })).rejects.toThrow(TlsSetupError);
    await expect(resolveTls({ kind: 'files', certFile: path.join(dir, 'nope.pem'), keyFile: path.join(dir, 'key.pem') })).rejects.toThrow(/no such file/);
  });
});
