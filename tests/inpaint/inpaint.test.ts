/**
 * Inpainting on the fixture model: only the region's tokens change (every token outside equals
 * the input image's encoding), the input's pixels are kept outside the region, layout edits and
 * clicked tokens pick their regions, previews stream, cancel works, and bad input is named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabelMap } from '../../shared/labelmap.ts';
import type { EngineEvent, GenerationResult, RgbaImage } from '../../shared/protocol.ts';
import type { Engine } from '../../engine/engine.ts';
import { chwToRgba } from '../../engine/image.ts';
import { encodeImage, runInpaintJob, type InpaintOutcome, type InpaintParams } from '../../engine/inpaint/index.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { NEVER_CANCELLED } from '../../engine/cancel.ts';
import { benchLayout } from '../../electron/cli/bench/layouts.ts';
import { FIXTURE_DIR } from '../engine/support/fixture.ts';
import { SETTINGS } from '../batch/support.ts';

const W = 64;
const H = 48;
const grid = { rows: 6, cols: 8 };
let engine: Engine;
let source: GenerationResult;
const layout: LabelMap = benchLayout(W, H, 5);
let jobs = 0;

function rectMask(x0: number, y0: number, x1: number, y1: number): InpaintParams['mask'] {
  const data = new Uint8Array(W * H);
  for (let y = y0; y < y1; y++) data.fill(1, y * W + x0, y * W + x1);
  return { width: W, height: H, data };
}

function run(extra: Partial<InpaintParams>, events: EngineEvent[] = [], onNote?: (n: string) => void, onEvent?: (e: EngineEvent, jobId: string) => void): Promise<InpaintOutcome> {
  const jobId = `inpaint-${++jobs}`;
  const request = { jobId, model: FIXTURE_DIR, image: source.image, mask: rectMask(0, 0, 0, 0), layout, settings: { ...SETTINGS, seed: 11 }, options: { dilation: 0, blend: 4, keepOutside: true }, ...extra };
  return runInpaintJob(
    engine,
    request,
    (e) => {
      events.push(e);
      onEvent?.(e, jobId);
    },
    onNote,
  );
}

async function inputTokens(image: RgbaImage): Promise<Int32Array> {
  return encodeImage(await engine.model(FIXTURE_DIR, 'cpu'), image, grid, NEVER_CANCELLED);
}

beforeAll(async () => {
  engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER, threads: 1 });
  source = await engine.generate({ jobId: 'source', model: FIXTURE_DIR, layout, settings: { ...SETTINGS, seed: 3 } }, () => undefined);
});
afterAll(() => engine.dispose());

describe('inpainting', () => {
  it('changes only the region’s tokens and keeps every input pixel outside it', async () => {
    // Pixels x 20..43, y 12..27 touch token columns 2..5 and rows 1..3.
    const { result, regionTokens, inputTokens: encoded } = await run({ mask: rectMask(20, 12, 44, 28) });
    expect(regionTokens).toBe(12);
    expect(encoded).toEqual(await inputTokens(source.image));
    let changed = 0;
    for (let i = 0; i < 48; i++) {
      const r = Math.floor(i / 8);
      const c = i % 8;
      const inside = r >= 1 && r <= 3 && c >= 2 && c <= 5;
      expect(result.region![i]).toBe(inside ? 1 : 0);
      if (!inside) expect(result.tokens[i], `token ${i}`).toBe(encoded[i]);
      else if (result.tokens[i] !== encoded[i]) changed++;
    }
    expect(changed).toBeGreaterThan(0);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inside = y >= 8 && y < 32 && x >= 16 && x < 48;
        const p = 4 * (y * W + x);
        if (!inside) for (let c = 0; c < 3; c++) expect(result.image.rgba[p + c]).toBe(source.image.rgba[p + c]);
      }
    }
  });

  it('without keepOutside returns the plain decode of the tokens; blend 0 pastes it unblended', async () => {
    const mask = rectMask(20, 12, 44, 28);
    const full = (await run({ mask, options: { dilation: 0, blend: 4, keepOutside: false } })).result;
    const model = await engine.model(FIXTURE_DIR, 'cpu');
    const decoded = chwToRgba(await model.decodeTokens([full.tokens], grid), 0, W, H);
    expect(full.image.rgba).toEqual(decoded);
    const hard = (await run({ mask, options: { dilation: 0, blend: 0, keepOutside: true } })).result;
    expect(hard.tokens).toEqual(full.tokens);
    const p = 4 * (8 * W + 16); // first pixel inside the region
    expect(Array.from(hard.image.rgba.subarray(p, p + 3))).toEqual(Array.from(decoded.subarray(p, p + 3)));
  });

  it('layout-edit mode regenerates the changed classes’ tokens (dilated); clicked tokens add single tokens', async () => {
    const edited = { ...layout, data: layout.data.slice() };
    for (let y = 40; y < 44; y++) for (let x = 4; x < 10; x++) edited.data[y * W + x] = 0; // water → sky in tokens (5, 0) and (5, 1)
    const encoded = await inputTokens(source.image);
    const { result } = await run({ layout: edited, previousLayout: layout, options: { dilation: 1, blend: 4, keepOutside: true } });
    const expected = new Set([32, 33, 34, 40, 41, 42]);
    for (let i = 0; i < 48; i++) {
      expect(result.region![i]).toBe(expected.has(i) ? 1 : 0);
      if (!expected.has(i)) expect(result.tokens[i]).toBe(encoded[i]);
    }
    const click = await run({ tokens: [13] });
    expect(click.regionTokens).toBe(1);
    expect(Array.from(click.result.region!).indexOf(1)).toBe(13);
    for (let i = 0; i < 48; i++) if (i !== 13) expect(click.result.tokens[i]).toBe(encoded[i]);
  });

  it('streams previews and progress for the region, and can be cancelled', async () => {
    const events: EngineEvent[] = [];
    await run({ mask: rectMask(0, 0, 64, 24) }, events);
    const progress = events.filter((e): e is Extract<EngineEvent, { type: 'job.progressed' }> => e.type === 'job.progressed');
    expect(progress.at(-1)).toMatchObject({ tokensDone: 24, tokensTotal: 24 });
    expect(events.some((e) => e.type === 'job.windowCompleted' && e.preview.kind === 'tokens')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'job.finished' });

    const cancelled: EngineEvent[] = [];
    const error = await run({ mask: rectMask(0, 0, 64, 48) }, cancelled, undefined, (e, jobId) => {
      if (e.type === 'job.windowCompleted') engine.cancel(jobId);
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CANCELLED' });
    expect(cancelled.at(-1)).toMatchObject({ type: 'job.failed', error: { code: 'CANCELLED' } });
  });

  it('names bad input: sizes, an empty mask, out-of-range tokens, the canvas limit; a full mask is a plain generation', async () => {
    await expect(run({ mask: { width: 56, height: 48, data: new Uint8Array(56 * 48) } })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/The mask is 56×48 px but the image is 64×48 px/) });
    await expect(run({ layout: benchLayout(56, 48, 5) })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/The layout is 56×48/) });
    await expect(run({})).rejects.toMatchObject({ code: 'NOTHING_TO_DO', message: expect.stringMatching(/Nothing to inpaint: the mask selects no pixels/) });
    await expect(run({ previousLayout: layout })).rejects.toMatchObject({ code: 'NOTHING_TO_DO', message: expect.stringMatching(/the layout is unchanged/) });
    await expect(run({ tokens: [48] })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/Token 48 is outside the 8×6 token grid/) });
    await expect(run({ mask: rectMask(0, 0, 8, 8), maxCanvas: { width: 48, height: 48 } })).rejects.toMatchObject({ code: 'BAD_CANVAS_SIZE', message: expect.stringMatching(/over the canvas limit.*--fit pad\|crop/) });
    const notes: string[] = [];
    const all = await run({ mask: rectMask(0, 0, W, H) }, [], (n) => notes.push(n));
    expect(all.regionTokens).toBe(48);
    expect(notes).toEqual([expect.stringMatching(/covers all 48 tokens: this is a plain generation/)]);
  });
});
