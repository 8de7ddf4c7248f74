/**
 * Serve mode and Redis queues: a page may use only the queues serve mode was started with
 * (`--queue`), so a browser holding the token cannot make the server connect anywhere else.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EngineMessage } from '../../shared/protocol.ts';
import { decodeWire, encodeWire } from '../../shared/wire.ts';
import { parseServeArgs } from './options.ts';
import { startServe, type ServeHandle } from './server.ts';

const TOKEN = 'queue-token-0123456789abcdef';
const ALLOWED = 'redis://:secret@10.0.0.1:6379';
let handle: ServeHandle;
const reachedHost: Array<{ type: string }> = [];

beforeAll(async () => {
  const dist = mkdtempSync(path.join(os.tmpdir(), 'tessera-dist-'));
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>t</title>');
  handle = await startServe({
    port: 0,
    token: TOKEN,
    rendererDir: dist,
    outDir: path.join(dist, 'out'),
    queues: [ALLOWED],
    log: () => undefined,
    createEngine: async () => ({ cancel: () => true, dispose: async () => undefined }),
    createHost: async (send: (m: EngineMessage) => void) => ({
      handle(message: unknown) {
        const m = message as { id: string; type: string };
        reachedHost.push(m);
        send({ type: 'reply', id: m.id, ok: true, value: null });
      },
      dispose: async () => undefined,
    }),
  });
});
afterAll(() => handle.close());

function ask(request: Record<string, unknown>): Promise<{ ok: boolean; error?: { code: string; message: string } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${handle.port}/ws?token=${TOKEN}`, { origin: `http://127.0.0.1:${handle.port}` });
    ws.once('open', () => ws.send(encodeWire(request)));
    ws.once('message', (data) => {
      ws.close();
      resolve(decodeWire(data.toString()) as { ok: boolean; error?: { code: string; message: string } });
    });
    ws.once('error', reject);
  });
}

describe('serve mode and Redis queues', () => {
  it('passes requests for the queues it was started with, and refuses any other without connecting', async () => {
    expect(await ask({ type: 'queue.status', id: 'a', url: ALLOWED, model: 'm', backend: 'cpu' })).toMatchObject({ ok: true });
    const other = await ask({ type: 'queue.status', id: 'b', url: 'redis://:pw@192.168.1.9:6379', model: 'm' });
    expect(other).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(other.error?.message).toBe('Serve mode connects only to the Redis queues it was started with; restart it with --queue redis://:***@192.168.1.9:6379 to use this one.');
    const layout = { width: 8, height: 8, data: new Uint8Array(64) };
    const settings = { seed: 1, temperature: 1, topK: 8, topP: 1, sampler: 'cached', stride: 2, decodedPreviews: false };
    const batch = await ask({ type: 'job.batch', id: 'c', jobId: 'j', model: 'm', layouts: [{ name: 'a', layout }], seeds: [1], settings, outDir: 'x', queue: { url: 'redis://elsewhere:6379' } });
    expect(batch).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(reachedHost.map((m) => m.type)).toEqual(['queue.status']);
  });

  it('takes --queue URLs on the command line and checks them', () => {
    expect(parseServeArgs(['--queue', ALLOWED, '--queue', 'rediss://h:6380']).queues).toEqual([ALLOWED, 'rediss://h:6380']);
    expect(() => parseServeArgs(['--queue', 'http://h:6379'])).toThrow(/--queue must be redis:\/\//);
  });
});
