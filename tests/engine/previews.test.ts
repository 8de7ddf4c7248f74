/**
 * Live previews on the real fixture: the token-colour preview fills in over the dimmed layout,
 * decoded previews stay within their time budget and show the layout where nothing is sampled, and
 * the final image is a full decode of the final tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewColorTable } from '../../shared/manifest.ts';
import type { EngineEvent, GenerationSettings } from '../../shared/protocol.ts';
import type { Engine } from '../../engine/engine.ts';
import { chwToRgba } from '../../engine/image.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { classLut, dim } from '../../engine/preview/token-preview.ts';
import { FIXTURE_DIR, fixtureManifest } from './support/fixture.ts';

const manifest = fixtureManifest();
let engine: Engine;
beforeAll(() => {
  engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER });
});
afterAll(() => engine.dispose());

// 32×16 tokens: class 1 on the left half, class 3 on the right.
const layout = { width: 256, height: 128, data: new Uint8Array(256 * 128).map((_, i) => (i % 256 < 128 ? 1 : 3)) };
const settings: GenerationSettings = { seed: 2, temperature: 1, topK: 8, topP: 1, sampler: 'cached', stride: 4, decodedPreviews: true };

describe('previews', () => {
  it('token previews colour sampled tokens by previewColors and the rest by the dimmed layout', async () => {
    const events: EngineEvent[] = [];
    const result = await engine.generate({ jobId: 'p1', model: FIXTURE_DIR, layout, settings }, (e) => events.push(e));
    const previews = events.filter((e) => e.type === 'job.windowCompleted' && e.preview.kind === 'tokens');
    // The first preview comes after the first token, then one per chunk (and inside long chunks).
    expect(previews[0]?.type === 'job.windowCompleted' && previews[0].tokensDone).toBe(1);
    const first = previews.find((e) => e.type === 'job.windowCompleted' && e.tokensDone === 4);
    if (first?.type !== 'job.windowCompleted') throw new Error('no token preview after the first chunk');
    const { image } = first.preview;
    expect([image.width, image.height]).toEqual([32, 16]);
    const colours = previewColorTable(manifest)!;
    const lut = classLut(manifest);
    for (let i = 0; i < 32 * 16; i++) {
      const px = Array.from(image.rgba.subarray(4 * i, 4 * i + 3));
      if (i < 4) expect(px).toEqual(Array.from(colours.subarray(3 * result.tokens[i]!, 3 * result.tokens[i]! + 3)));
      else {
        const cls = i % 32 < 16 ? 1 : 3;
        expect(px).toEqual([dim(lut[3 * cls]!), dim(lut[3 * cls + 1]!), dim(lut[3 * cls + 2]!)]);
      }
    }
    const last = events.filter((e) => e.type === 'job.windowCompleted' && e.preview.kind === 'tokens').at(-1);
    expect(last?.type === 'job.windowCompleted' && last.tokensDone).toBe(512);
  });

  it('the parallel sampler sends a token preview per row segment it finishes, each showing the tokens sampled so far', async () => {
    const events: EngineEvent[] = [];
    const parallel: GenerationSettings = { ...settings, sampler: 'parallel', lead: 2, decodedPreviews: false };
    const out = await engine.generateWithStats({ jobId: 'p-par', model: FIXTURE_DIR, layout, settings: parallel }, (e) => events.push(e));
    const colours = previewColorTable(manifest)!;
    const tokens = out.results[0]!.tokens;
    const previews = events.filter((e) => e.type === 'job.windowCompleted' && e.preview.kind === 'tokens');
    const progress = events.filter((e) => e.type === 'job.progressed');
    // 16 rows × the fixture's 4×4 window's column segments over 32 columns (parallelSpans(32, 4): 15 segments).
    expect(progress.length).toBe(16 * 15);
    expect(previews.length).toBeGreaterThanOrEqual(progress.length);
    let coloured = 0;
    for (const e of previews) {
      if (e.type !== 'job.windowCompleted') continue;
      let sampled = 0;
      for (let i = 0; i < 32 * 16; i++) {
        const px = Array.from(e.preview.image.rgba.subarray(4 * i, 4 * i + 3));
        if (px.join() === Array.from(colours.subarray(3 * tokens[i]!, 3 * tokens[i]! + 3)).join()) sampled++;
      }
      // Dimmed layout colours never equal token colours on the fixture, so this counts sampled tokens.
      expect(sampled).toBeGreaterThanOrEqual(e.tokensDone);
      coloured = Math.max(coloured, e.tokensDone);
    }
    expect(coloured).toBe(512);
    expect(out.stats.forwards).toBeLessThan(512);
  });

  it('decoded previews stay within 25 % of sampling time (plus one decode) and show the layout where nothing is sampled', async () => {
    const events: EngineEvent[] = [];
    const out = await engine.generateWithStats({ jobId: 'p2', model: FIXTURE_DIR, layout, settings }, (e) => events.push(e));
    const s = out.stats;
    expect(s.previewDecodes).toBeGreaterThan(0);
    expect(s.previewDecodeMs).toBeLessThanOrEqual(0.25 * s.throttleSamplingMs + s.maxPreviewDecodeMs);
    const decoded = events.filter((e) => e.type === 'job.windowCompleted' && e.preview.kind === 'decoded');
    expect(decoded.length).toBe(s.previewDecodes);
    const firstDecoded = decoded[0];
    if (firstDecoded?.type !== 'job.windowCompleted') throw new Error('no decoded preview');
    const { image } = firstDecoded.preview;
    expect([image.width, image.height]).toEqual([256, 128]);
    // The bottom-right pixel's token is sampled last, so it still shows the dimmed class colour.
    const lut = classLut(manifest);
    const at = 4 * (256 * 128 - 1);
    expect(Array.from(image.rgba.subarray(at, at + 3))).toEqual([dim(lut[9]!), dim(lut[10]!), dim(lut[11]!)]);
  });

  it('the final image is a full decode of the final tokens', async () => {
    const result = await engine.generate({ jobId: 'p3', model: FIXTURE_DIR, layout, settings: { ...settings, decodedPreviews: false } }, () => undefined);
    const model = await engine.model(FIXTURE_DIR);
    const chw = await model.decodeTokens([result.tokens], result.grid);
    expect(Buffer.from(result.image.rgba).equals(Buffer.from(chwToRgba(chw, 0, 256, 128)))).toBe(true);
  });
});
