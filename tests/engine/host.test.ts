/**
 * The engine host: every message in is parsed, every reply and event out satisfies
 * shared/protocol.ts, bad requests get BAD_REQUEST when an id can be read, a handler a host cannot
 * serve answers INTERNAL with the reason, and the core host (the page Worker's) works alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineMessageSchema, ReplyValueSchemas, type EngineMessage, type RequestInput } from '../../shared/protocol.ts';
import { createEngineHost, type EngineHost } from '../../electron/host/engine-host.ts';
import { createCoreEngineHost } from '../../engine/host/engine-host.ts';
import { notAvailable } from '../../engine/host/handlers.ts';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import path from 'node:path';
import { copyFixture } from './support/bundles.ts';
import { FIXTURE_DIR, referenceLayouts } from './support/fixture.ts';

const sent: EngineMessage[] = [];
let host: EngineHost;
const layout = referenceLayouts()[2]!.layout;
const settings = { seed: 5, temperature: 1, topK: 8, topP: 1, sampler: 'cached' as const, stride: 4 };

beforeAll(() => {
  const engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER, userDirs: [`${FIXTURE_DIR}/..`] });
  host = createEngineHost({ send: (m) => sent.push(m), engine, logger: SILENT_LOGGER });
});
afterAll(async () => {
  await host.engine.dispose();
  await host.dispose();
});

/** Sends a request and resolves with its reply (and the events sent meanwhile). */
async function request(message: RequestInput | Record<string, unknown>, id = (message as { id?: string }).id ?? ''): Promise<{ reply: Extract<EngineMessage, { type: 'reply' }>; events: EngineMessage[] }> {
  const from = sent.length;
  host.handle(message);
  for (let i = 0; i < 2000; i++) {
    const reply = sent.slice(from).find((m): m is Extract<EngineMessage, { type: 'reply' }> => m.type === 'reply' && m.id === id);
    if (reply) return { reply, events: sent.slice(from).filter((m) => m.type !== 'reply') };
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no reply to ${id}`);
}

describe('engine host', () => {
  it('lists models (user folders included) and loads one', async () => {
    const list = await request({ type: 'models.list', id: 'l1' });
    expect(list.reply.ok).toBe(true);
    const models = ReplyValueSchemas['models.list'].parse(list.reply.ok ? list.reply.value : null);
    expect(models.map((m) => m.id)).toContain('tessera-tiny-fixture');
    const load = await request({ type: 'model.load', id: 'l2', model: 'tessera-tiny-fixture', backend: 'cpu' });
    expect(load.reply).toMatchObject({ ok: true, value: { id: 'tessera-tiny-fixture', backend: 'cpu', origin: 'user' } });
  });

  it('lists a model whose manifest sets every sampler default (parallelOrder included) with a valid reply', async () => {
    const bundle = copyFixture((_dir, m) => ({ ...m, defaults: { ...m.defaults!, sampler: 'parallel', lead: 2, parallelOrder: 'wavefront' } }));
    const engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER, userDirs: [path.dirname(bundle.dir)] });
    const out: EngineMessage[] = [];
    const own = createEngineHost({ send: (m) => out.push(m), engine, logger: SILENT_LOGGER });
    try {
      own.handle({ type: 'models.list', id: 'd1' });
      await expect.poll(() => out.find((m) => m.type === 'reply'), { timeout: 10_000 }).toBeTruthy();
      const reply = out.find((m): m is Extract<EngineMessage, { type: 'reply' }> => m.type === 'reply')!;
      expect(reply.ok).toBe(true);
      const models = ReplyValueSchemas['models.list'].parse(reply.ok ? reply.value : null);
      expect(models.find((m) => m.path === bundle.dir)?.defaults).toMatchObject({ sampler: 'parallel', lead: 2, parallelOrder: 'wavefront' });
    } finally {
      await engine.dispose();
      await own.dispose();
      bundle.cleanup();
    }
  });

  it('verifies a model', async () => {
    const { reply } = await request({ type: 'model.verify', id: 'v1', model: FIXTURE_DIR });
    expect(reply).toMatchObject({ ok: true, value: { ok: true } });
  });

  it('runs job.generate with progress, token and decoded previews, job.finished, and a valid result', async () => {
    const { reply, events } = await request({ type: 'job.generate', id: 'g1', jobId: 'job-1', model: 'tessera-tiny-fixture', layout, settings });
    expect(reply.ok).toBe(true);
    const result = ReplyValueSchemas['job.generate'].parse(reply.ok ? reply.value : null);
    expect(result.grid).toEqual({ rows: 4, cols: 8 });
    expect(result.image.width).toBe(64);
    const kinds = events.map((e) => (e.type === 'job.windowCompleted' ? `preview:${e.preview.kind}` : e.type));
    expect(kinds).toContain('job.progressed');
    expect(kinds).toContain('preview:tokens');
    expect(kinds).toContain('preview:decoded');
    expect(kinds.at(-1)).toBe('job.finished');
    for (const e of events) expect(EngineMessageSchema.safeParse(e).success).toBe(true);
    const progress = events.filter((e) => e.type === 'job.progressed');
    expect(progress.at(-1)).toMatchObject({ tokensDone: 32, tokensTotal: 32 });
    const first = events.find((e) => e.type === 'job.windowCompleted');
    expect(first?.type === 'job.windowCompleted' && first.preview.image.width).toBe(8);
  });

  it('answers BAD_REQUEST when an id can be read, and ignores messages without one', async () => {
    const bad = await request({ type: 'job.generate', id: 'b1', jobId: 'x', model: 'm', layout: { width: 2, height: 2, data: new Uint8Array(3) }, settings });
    expect(bad.reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(bad.reply.ok === false && bad.reply.error.message).toContain('data: data must hold width×height class indices');
    const unknownType = await request({ type: 'model.delete', id: 'b2' });
    expect(unknownType.reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const before = sent.length;
    host.handle('not an object');
    host.handle({ type: 'models.list' });
    host.handle(null);
    await new Promise((r) => setTimeout(r, 20));
    expect(sent.length).toBe(before);
  });

  it('answers INTERNAL with the reason for a handler a host cannot serve', async () => {
    const replies: EngineMessage[] = [];
    const bare = createEngineHost({ send: (m) => replies.push(m), engine: host.engine, logger: SILENT_LOGGER, handlers: { 'job.batch': notAvailable('Batch generation (job.batch)') } });
    bare.handle({ type: 'job.batch', id: 'nb', jobId: 'b', model: 'm', layouts: [{ name: 'a', layout }], seeds: [1], settings });
    for (let i = 0; i < 100 && replies.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(replies[0]).toMatchObject({ type: 'reply', id: 'nb', ok: false, error: { code: 'INTERNAL' } });
    expect(replies[0]?.type === 'reply' && replies[0].ok === false && replies[0].error.message).toContain('not available');
  });

  it('the core host (the page Worker\'s) generates on the same engine and refuses what needs Node with a reason', async () => {
    const replies: EngineMessage[] = [];
    const core = createCoreEngineHost({ send: (m) => replies.push(m), engine: host.engine });
    const wait = async (id: string): Promise<Extract<EngineMessage, { type: 'reply' }>> => {
      for (let i = 0; i < 2000; i++) {
        const r = replies.find((m): m is Extract<EngineMessage, { type: 'reply' }> => m.type === 'reply' && m.id === id);
        if (r) return r;
        await new Promise((res) => setTimeout(res, 10));
      }
      throw new Error(`no reply to ${id}`);
    };
    core.handle({ type: 'job.generate', id: 'cg', jobId: 'core-g', model: 'tessera-tiny-fixture', layout, settings: { ...settings, decodedPreviews: false } });
    expect((await wait('cg')).ok).toBe(true);
    core.handle({ type: 'queue.status', id: 'cq', url: 'redis://127.0.0.1:6379', model: 'tessera-tiny-fixture' });
    expect(await wait('cq')).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    core.handle({ type: 'job.batch', id: 'cb', jobId: 'core-b', model: 'tessera-tiny-fixture', layouts: [{ name: 'a', layout }], seeds: [1], settings, outDir: '/tmp/x' });
    const refused = await wait('cb');
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(refused.ok === false && refused.error.message).toContain('without outDir');
    await core.dispose();
  });

  it('reports model errors as replies, then keeps working', async () => {
    const missing = await request({ type: 'job.generate', id: 'e1', jobId: 'job-e', model: 'nope', layout, settings });
    expect(missing.reply).toMatchObject({ ok: false, error: { code: 'MODEL_NOT_FOUND' } });
    expect(missing.events.at(-1)).toMatchObject({ type: 'job.failed', jobId: 'job-e' });
    const ok = await request({ type: 'job.generate', id: 'e2', jobId: 'job-e2', model: 'tessera-tiny-fixture', layout, settings: { ...settings, decodedPreviews: false } });
    expect(ok.reply.ok).toBe(true);
  });

  it('cancels a running job', async () => {
    const big = { width: 256, height: 256, data: new Uint8Array(256 * 256) };
    const from = sent.length;
    host.handle({ type: 'job.generate', id: 'c1', jobId: 'job-c', model: 'tessera-tiny-fixture', layout: big, settings: { ...settings, sampler: 'exact', stride: 1 } });
    for (let i = 0; i < 500 && !sent.slice(from).some((m) => m.type === 'job.progressed'); i++) await new Promise((r) => setTimeout(r, 10));
    const cancel = await request({ type: 'job.cancel', id: 'c2', jobId: 'job-c' });
    expect(cancel.reply).toMatchObject({ ok: true, value: { cancelled: true } });
    const { reply } = await request({ type: 'models.list', id: 'c3' }).then(async () => {
      for (let i = 0; i < 500; i++) {
        const r = sent.slice(from).find((m) => m.type === 'reply' && m.id === 'c1');
        if (r && r.type === 'reply') return { reply: r };
        await new Promise((res) => setTimeout(res, 10));
      }
      throw new Error('no reply to c1');
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    const again = await request({ type: 'job.cancel', id: 'c4', jobId: 'job-c' });
    expect(again.reply).toMatchObject({ ok: true, value: { cancelled: false } });
  });
});
