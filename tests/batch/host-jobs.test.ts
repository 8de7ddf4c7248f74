/**
 * job.batch and job.inpaint through the engine host (as the studio sends them): replies and
 * events satisfy shared/protocol.ts, batch results stream as job.itemFinished and land in outDir,
 * and bad inpainting input comes back as a typed error.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineMessageSchema, ReplyValueSchemas, type EngineMessage, type RequestInput } from '../../shared/protocol.ts';
import { createEngineHost, type EngineHost } from '../../electron/host/engine-host.ts';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import { FIXTURE_DIR } from '../engine/support/fixture.ts';
import { SETTINGS, testLayouts } from './support.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-host-jobs-'));
const sent: EngineMessage[] = [];
let host: EngineHost;

beforeAll(() => {
  const engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER, threads: 1 });
  host = createEngineHost({ send: (m) => sent.push(m), engine, logger: SILENT_LOGGER });
});
afterAll(async () => {
  await host.engine.dispose();
  await host.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

async function request(message: RequestInput): Promise<{ reply: Extract<EngineMessage, { type: 'reply' }>; events: EngineMessage[] }> {
  const from = sent.length;
  host.handle(message);
  for (let i = 0; i < 3000; i++) {
    const reply = sent.slice(from).find((m): m is Extract<EngineMessage, { type: 'reply' }> => m.type === 'reply' && m.id === message.id);
    if (reply) {
      const events = sent.slice(from).filter((m) => m.type !== 'reply');
      for (const m of [reply, ...events]) expect(EngineMessageSchema.safeParse(m).success).toBe(true);
      return { reply, events };
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no reply to ${message.id}`);
}

describe('engine host: job.batch and job.inpaint', () => {
  it('runs a batch: one job.itemFinished with its result per image, files in outDir, a summary reply', async () => {
    const outDir = path.join(tmp, 'studio-batch');
    const { reply, events } = await request({ type: 'job.batch', id: 'b1', jobId: 'batch-1', model: FIXTURE_DIR, layouts: testLayouts().map((l) => ({ name: l.name, layout: { ...l.layout, data: new Uint8Array(l.layout.data) } })), seeds: [1, 2], settings: SETTINGS, outDir });
    expect(reply.ok).toBe(true);
    const summary = ReplyValueSchemas['job.batch'].parse(reply.ok ? reply.value : null);
    expect(summary.items.map((i) => [i.layout, i.seed, i.state])).toEqual([
      ['lake', 1, 'done'],
      ['lake', 2, 'done'],
      ['valley', 1, 'done'],
      ['valley', 2, 'done'],
    ]);
    const finished = events.filter((e) => e.type === 'job.itemFinished');
    expect(finished).toHaveLength(4);
    expect(finished.every((e) => e.type === 'job.itemFinished' && e.result?.image.width === (e.item.layout === 'lake' ? 48 : 40))).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'job.finished', jobId: 'batch-1' });
    expect(readdirSync(outDir).sort()).toEqual(['batch.json', 'contact.png', 'lake-seed1.png', 'lake-seed2.png', 'valley-seed1.png', 'valley-seed2.png']);
  });

  it('refuses a folder of another batch with details.batchConflict, and mixes into it with force', async () => {
    const outDir = path.join(tmp, 'conflict');
    const layouts = testLayouts().slice(0, 1).map((l) => ({ name: l.name, layout: { ...l.layout, data: new Uint8Array(l.layout.data) } }));
    const first = await request({ type: 'job.batch', id: 'c1', jobId: 'conflict-1', model: FIXTURE_DIR, layouts, seeds: [1], settings: SETTINGS, outDir });
    expect(first.reply.ok).toBe(true);
    const other = { ...SETTINGS, topK: SETTINGS.topK + 1 };
    const refused = await request({ type: 'job.batch', id: 'c2', jobId: 'conflict-2', model: FIXTURE_DIR, layouts, seeds: [1, 2], settings: other, outDir });
    expect(refused.reply.ok).toBe(false);
    const error = refused.reply.ok ? null : refused.reply.error;
    expect(error?.code).toBe('BAD_INPUT');
    expect(error?.details).toMatchObject({ batchConflict: true });
    expect(error?.message).toMatch(/studio: Mix into this folder/);
    const mixed = await request({ type: 'job.batch', id: 'c3', jobId: 'conflict-3', model: FIXTURE_DIR, layouts, seeds: [1, 2], settings: other, outDir, force: true });
    expect(mixed.reply.ok).toBe(true);
    const summary = ReplyValueSchemas['job.batch'].parse(mixed.reply.ok ? mixed.reply.value : null);
    // Seed 1 was made with other settings: made again, not skipped.
    expect(summary.items.map((i) => [i.seed, i.state])).toEqual([
      [1, 'done'],
      [2, 'done'],
    ]);
  });

  it('inpaints, and answers NOTHING_TO_DO for an empty region', async () => {
    const named = testLayouts()[0]!.layout;
    const layout = { ...named, data: new Uint8Array(named.data) };
    const image = { width: 48, height: 40, rgba: new Uint8Array(48 * 40 * 4).fill(128) };
    const mask = { width: 48, height: 40, data: new Uint8Array(48 * 40) };
    const empty = await request({ type: 'job.inpaint', id: 'i1', jobId: 'inpaint-1', model: FIXTURE_DIR, image, mask, layout, settings: SETTINGS });
    expect(empty.reply).toMatchObject({ ok: false, error: { code: 'NOTHING_TO_DO' } });
    const click = await request({ type: 'job.inpaint', id: 'i2', jobId: 'inpaint-2', model: FIXTURE_DIR, image, mask, layout, tokens: [7], settings: SETTINGS });
    expect(click.reply.ok).toBe(true);
    const result = ReplyValueSchemas['job.inpaint'].parse(click.reply.ok ? click.reply.value : null);
    expect(Array.from(result.region!).reduce((s, v) => s + v, 0)).toBe(1);
    expect(click.events.at(-1)).toMatchObject({ type: 'job.finished', jobId: 'inpaint-2' });
  });
});
