/**
 * Outpainting on the fixture model (real ONNX): the old image's tokens stay exactly as given and
 * the new area is sampled, with every sampler; the old pixels are kept byte for byte; the seam
 * score picks the candidate it says it picks; previews stream and a cancel stops the job; bad
 * placements are refused with what to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TesseraError } from '../../shared/errors.ts';
import type { LabelMap } from '../../shared/labelmap.ts';
import type { EngineEvent, GenerationResult, SamplerName } from '../../shared/protocol.ts';
import type { Engine } from '../../engine/engine.ts';
import { NEVER_CANCELLED } from '../../engine/cancel.ts';
import { encodeImage } from '../../engine/inpaint/index.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { checkPlacement, inferOffset, newAreaRegion, runOutpaintJob, scoreSeam, seamBand, type OutpaintOutcome, type OutpaintParams } from '../../engine/outpaint/index.ts';
import { benchLayout } from '../../electron/cli/bench/layouts.ts';
import { FIXTURE_DIR } from '../engine/support/fixture.ts';
import { SETTINGS } from '../batch/support.ts';

// The fixture: 8 px tokens, 4×4-token windows. The old image: 48×32 px = 6×4 tokens.
const big: LabelMap = benchLayout(80, 64, 5); // 10×8 tokens
const OLD = { x: 16, y: 16, width: 48, height: 32 };
const smallLayout: LabelMap = crop(big, OLD.x, OLD.y, OLD.width, OLD.height);
let engine: Engine;
let source: GenerationResult;
let jobs = 0;

function crop(map: LabelMap, x0: number, y0: number, w: number, h: number): LabelMap {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) data.set(map.data.subarray((y0 + y) * map.width + x0, (y0 + y) * map.width + x0 + w), y * w);
  return { width: w, height: h, data };
}

function run(extra: Partial<OutpaintParams>, events: EngineEvent[] = []): Promise<OutpaintOutcome> {
  const request: OutpaintParams & { jobId: string; model: string } = {
    jobId: `outpaint-${++jobs}`,
    model: FIXTURE_DIR,
    image: source.image,
    imageTokens: source.tokens,
    layout: big,
    offset: { x: OLD.x, y: OLD.y },
    settings: { ...SETTINGS, seed: 21 },
    options: { blend: 4 },
    ...extra,
  };
  return runOutpaintJob(engine, request, (e) => events.push(e));
}

/** Old tokens unchanged at their place, and the old pixels byte for byte. */
function expectOldKept(result: GenerationResult, tokens: ArrayLike<number>, at: { x: number; y: number }, layout: LabelMap = big): void {
  const cols = layout.width / 8;
  for (let r = 0; r < OLD.height / 8; r++) for (let c = 0; c < OLD.width / 8; c++) expect(result.tokens[(at.y / 8 + r) * cols + at.x / 8 + c]).toBe(tokens[r * (OLD.width / 8) + c]);
  for (let y = 0; y < OLD.height; y++) {
    const a = source.image.rgba.subarray(4 * y * OLD.width, 4 * (y + 1) * OLD.width);
    const b = result.image.rgba.subarray(4 * ((at.y + y) * layout.width + at.x), 4 * ((at.y + y) * layout.width + at.x + OLD.width));
    expect(Buffer.from(b).equals(Buffer.from(a)), `row ${y}`).toBe(true);
  }
}

beforeAll(async () => {
  engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER, threads: 1 });
  source = await engine.generate({ jobId: 'source', model: FIXTURE_DIR, layout: smallLayout, settings: { ...SETTINGS, seed: 3 } }, () => undefined);
});
afterAll(() => engine.dispose());

describe('outpainting', () => {
  it.each<SamplerName>(['exact', 'cached', 'parallel'])('keeps the old tokens and pixels and samples only the new area (%s)', async (sampler) => {
    const { result, newTokens, totalTokens, context, candidates } = await run({ settings: { ...SETTINGS, seed: 21, sampler, stride: 2, lead: 1 } });
    expect([newTokens, totalTokens, context, candidates]).toEqual([80 - 24, 80, 'tokens', 4]);
    expect(result.image.width).toBe(80);
    expectOldKept(result, source.tokens, OLD);
    const region = result.region!;
    expect(Array.from(region).filter((v) => v === 0)).toHaveLength(24);
    // The new area was sampled: its tokens are not all one value (they start at 0).
    const fresh = new Set<number>();
    region.forEach((v, i) => v && fresh.add(result.tokens[i]!));
    expect(fresh.size).toBeGreaterThan(3);
  });

  it('grows on one side at a time; right and bottom sample one candidate, left and top four', async () => {
    const cases = [
      { name: 'right', layout: crop(big, 16, 16, 64, 32), at: { x: 0, y: 0 }, candidates: 1 },
      { name: 'bottom', layout: crop(big, 16, 16, 48, 48), at: { x: 0, y: 0 }, candidates: 1 },
      { name: 'left', layout: crop(big, 0, 16, 64, 32), at: { x: 16, y: 0 }, candidates: 4 },
      { name: 'top', layout: crop(big, 16, 0, 48, 48), at: { x: 0, y: 16 }, candidates: 4 },
    ];
    for (const c of cases) {
      const out = await run({ layout: c.layout, offset: c.at });
      expect(out.candidates, c.name).toBe(c.candidates);
      expect(out.scores).toHaveLength(c.candidates === 1 ? 0 : 4);
      expectOldKept(out.result, source.tokens, c.at, c.layout);
    }
  });

  it('encodes the old image when its tokens are not given, and keeps those encoded tokens', async () => {
    const model = await engine.model(FIXTURE_DIR, 'cpu');
    const encoded = await encodeImage(model, source.image, { rows: 4, cols: 6 }, NEVER_CANCELLED);
    const out = await run({ imageTokens: undefined, options: { blend: 0, candidates: 1 } });
    expect(out.context).toBe('encoded');
    expectOldKept(out.result, encoded, OLD);
  });

  it('keeps the candidate whose seam scores highest, and reproduces it from the same seed', async () => {
    const a = await run({ options: { blend: 4, candidates: 3 } });
    const best = a.scores.indexOf(Math.max(...a.scores));
    expect(a.chosen).toBe(best);
    // Scoring the kept grid on its own gives the score it was chosen by.
    const model = await engine.model(FIXTURE_DIR, 'cpu');
    const { tokens: cond } = await model.encodeLayouts([big]);
    const grid = { rows: 8, cols: 10 };
    const alone = await scoreSeam(model.transformer, cond[0]!, [Int32Array.from(a.result.tokens)], seamBand(a.result.region!, grid, model.manifest.window), grid, model.manifest.window, model.manifest.vocab.image, NEVER_CANCELLED);
    expect(alone.scores[0]).toBeCloseTo(a.scores[best]!, 3);
    expect(a.result.settings.seed).toBe(21);
    const b = await run({ options: { blend: 4, candidates: 3 } });
    expect(b.result.tokens).toEqual(a.result.tokens);
    expect(b.result.image.rgba).toEqual(a.result.image.rgba);
  });

  it('streams previews of one candidate and progress, and can be cancelled', async () => {
    const events: EngineEvent[] = [];
    await run({}, events);
    const previews = events.filter((e) => e.type === 'job.windowCompleted');
    expect(previews.length).toBeGreaterThan(0);
    expect(previews.every((e) => e.type === 'job.windowCompleted' && e.item === undefined && e.preview.image.width === (e.preview.kind === 'tokens' ? 10 : 80))).toBe(true);
    expect(events.some((e) => e.type === 'job.progressed')).toBe(true);
    expect(events.at(-1)?.type).toBe('job.finished');
    const cancelled: EngineEvent[] = [];
    const job = run({}, cancelled);
    engine.cancel(`outpaint-${jobs}`);
    await expect(job).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(cancelled.at(-1)).toMatchObject({ type: 'job.failed', error: { code: 'CANCELLED' } });
  });

  it('refuses tokens of another size or codebook', async () => {
    await expect(run({ imageTokens: new Uint16Array(5) })).rejects.toThrow(/tokens are 5, but a 6×4-token image has 24/);
    await expect(run({ imageTokens: new Uint16Array(24).fill(999) })).rejects.toThrow(/outside this model's image codebook/);
  });
});

describe('placement', () => {
  const image = { width: 48, height: 32 };
  const layout = { width: 80, height: 64 };
  const refused = (offset: { x: number; y: number }, size = layout, img = image): string => {
    try {
      checkPlacement(img, size, offset, 8);
    } catch (error) {
      expect(error).toBeInstanceOf(TesseraError);
      expect((error as TesseraError).code).toBe('BAD_INPUT');
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it('refuses a negative, off-grid, outside or empty placement, saying what would work', () => {
    expect(refused({ x: -8, y: 0 })).toMatch(/negative or not whole/);
    expect(refused({ x: 12, y: 0 })).toMatch(/not on the 8-px token grid: use x = 8 or 16 and y = 0/);
    expect(refused({ x: 40, y: 0 })).toMatch(/outside the 80×64 px layout: the offset may be at most 32,32/);
    expect(refused({ x: 0, y: 0 }, image)).toMatch(/no new area to outpaint/);
    expect(refused({ x: 0, y: 0 }, layout, { width: 50, height: 32 })).toMatch(/not a whole number of 8-px tokens: crop it to 48×32/);
  });

  it('marks everything outside the old image as new, and says how far each side grows', () => {
    const p = checkPlacement(image, layout, { x: 16, y: 8 }, 8);
    expect(p.grow).toEqual({ top: 1, left: 2, bottom: 3, right: 2 });
    const region = newAreaRegion(p);
    expect(region.reduce((s, v) => s + v, 0)).toBe(80 - 24);
    expect(region[1 * 10 + 2]).toBe(0);
    expect(region[1 * 10 + 1]).toBe(1);
    expect(region[4 * 10 + 7]).toBe(0);
    expect(region[5 * 10 + 7]).toBe(1);
  });

  it('infers the offset only where the old layout appears exactly once', () => {
    expect(inferOffset(smallLayout, big, 8)).toEqual({ x: 16, y: 16 });
    expect(() => inferOffset(null, big, 8)).toThrow(/carries no Tessera layout[\s\S]*--offset/);
    const flat = { width: 80, height: 64, data: new Uint8Array(80 * 64) };
    expect(() => inferOffset({ width: 48, height: 32, data: new Uint8Array(48 * 32) }, flat, 8)).toThrow(/more than one place/);
    expect(() => inferOffset({ width: 48, height: 32, data: new Uint8Array(48 * 32).fill(4) }, flat, 8)).toThrow(/appears nowhere/);
  });
});
