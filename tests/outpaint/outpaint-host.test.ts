/**
 * job.outpaint through the engine host every engine shares (desktop utilityProcess, serve mode's
 * child, the page's Worker): the request is parsed with its defaults, previews and progress stream
 * as events, the reply satisfies ReplyValueSchemas (result + the record's outpaint block), a bad
 * offset is a BAD_INPUT reply, and job.cancel stops it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplyValueSchemas, type EngineMessage, type RequestInput, type RgbaImage } from '../../shared/protocol.ts';
import { createCoreEngineHost } from '../../engine/host/engine-host.ts';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import { benchLayout } from '../../electron/cli/bench/layouts.ts';
import { FIXTURE_DIR } from '../engine/support/fixture.ts';

const sent: EngineMessage[] = [];
const engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER, threads: 1 });
const host = createCoreEngineHost({ send: (m) => sent.push(m), engine });
const settings = { seed: 5, temperature: 1, topK: 8, topP: 1, sampler: 'cached' as const, stride: 2 };
const bench = benchLayout(64, 48, 5);
const big = { width: bench.width, height: bench.height, data: new Uint8Array(bench.data) };
let image: RgbaImage;

async function request(message: RequestInput): Promise<{ reply: Extract<EngineMessage, { type: 'reply' }>; events: EngineMessage[] }> {
  const from = sent.length;
  host.handle(message);
  for (let i = 0; i < 3000; i++) {
    const reply = sent.slice(from).find((m): m is Extract<EngineMessage, { type: 'reply' }> => m.type === 'reply' && m.id === message.id);
    if (reply) return { reply, events: sent.slice(from).filter((m) => m.type !== 'reply') };
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no reply to ${message.id}`);
}

beforeAll(async () => {
  const small = { width: 32, height: 32, data: new Uint8Array(32 * 32) };
  for (let y = 0; y < 32; y++) small.data.set(big.data.subarray(y * 64, y * 64 + 32), y * 32);
  image = (await engine.generate({ jobId: 'src', model: FIXTURE_DIR, layout: small, settings: { ...settings, decodedPreviews: false } }, () => undefined)).image;
});
afterAll(async () => {
  await host.dispose();
  await engine.dispose();
});

describe('job.outpaint in the engine host', () => {
  it('streams previews and replies with the result and its record block', async () => {
    const { reply, events } = await request({ type: 'job.outpaint', id: 'o1', jobId: 'job-o1', model: FIXTURE_DIR, image, layout: big, offset: { x: 0, y: 0 }, settings });
    expect(reply.ok, JSON.stringify(reply)).toBe(true);
    const value = ReplyValueSchemas['job.outpaint'].parse(reply.ok ? reply.value : null);
    expect(value.outpaint).toEqual({ offset: { x: 0, y: 0 }, source: { width: 32, height: 32 }, blend: 4, candidates: 1, chosen: 0, context: 'encoded', newTokens: 48 - 16, totalTokens: 48 });
    expect([value.result.image.width, value.result.image.height]).toEqual([64, 48]);
    for (let y = 0; y < 32; y++) expect(Buffer.from(value.result.image.rgba.subarray(y * 256, y * 256 + 128)).equals(Buffer.from(image.rgba.subarray(y * 128, (y + 1) * 128)))).toBe(true);
    expect(events.some((e) => e.type === 'job.windowCompleted')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'job.finished', jobId: 'job-o1' });
  });

  it('answers a bad offset with BAD_INPUT, and job.cancel stops a running job', async () => {
    const bad = await request({ type: 'job.outpaint', id: 'o2', jobId: 'job-o2', model: FIXTURE_DIR, image, layout: big, offset: { x: 4, y: 0 }, settings });
    expect(bad.reply).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringMatching(/not on the 8-px token grid/) } });
    const running = request({ type: 'job.outpaint', id: 'o3', jobId: 'job-o3', model: FIXTURE_DIR, image, layout: big, offset: { x: 32, y: 16 }, settings, options: { blend: 2, candidates: 3 } });
    host.handle({ type: 'job.cancel', id: 'c3', jobId: 'job-o3' });
    const { reply } = await running;
    expect(reply).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
  });
});
