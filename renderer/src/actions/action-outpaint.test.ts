import { describe, expect, it } from 'vitest';
import { tokensText, TOKENS_KEY } from '../../../shared/result-record.ts';
import { createStudioStore } from '../state/store.ts';
import { selectCanOutpaint, selectOutpaintFrame } from '../state/outpaint-slice.ts';
import { extendCanvas, runOutpaint } from './action-outpaint.ts';
import { fakeEngine, modelInfo, resultFor } from './fake-engine.ts';

/** A 32×32 canvas (4×4 tokens = one window of the fake model) with one generated result. */
function generatedStore() {
  const store = createStudioStore();
  store.getState().setActiveModel(modelInfo('m', ['sky', 'water']));
  store.getState().resizeCanvas(32, 32, 0);
  const result = resultFor('gen-1', 32, 32, 1, 77);
  result.tokens = Uint16Array.from({ length: 16 }, (_, i) => i);
  store.getState().addResult({ id: 'res-1', createdAt: 0, kind: 'generate', modelId: 'm', modelName: 'm', layout: { width: 32, height: 32, data: new Uint8Array(32 * 32) }, result });
  return store;
}

describe('outpaint', () => {
  it('extends by whole windows as undoable steps; the placement follows undo and redo', () => {
    const store = generatedStore();
    expect(selectCanOutpaint(store.getState())).toBe(false);
    expect(extendCanvas(store, 'left', 1)).toBe(true);
    expect(extendCanvas(store, 'top', 2)).toBe(true);
    let s = store.getState();
    expect([s.layout.width, s.layout.height]).toEqual([64, 96]);
    expect(selectOutpaintFrame(s)).toEqual({ width: 64, height: 96, x: 32, y: 64 });
    expect(selectCanOutpaint(s)).toBe(true);
    s.undo();
    s = store.getState();
    expect(selectOutpaintFrame(s)).toEqual({ width: 64, height: 32, x: 32, y: 0 });
    s.undo();
    expect(selectCanOutpaint(store.getState())).toBe(false);
    store.getState().redo();
    store.getState().redo();
    expect(selectOutpaintFrame(store.getState())).toEqual({ width: 64, height: 96, x: 32, y: 64 });
  });

  it('sends the result, its own tokens and the offset; files the result and extends it next', async () => {
    const store = generatedStore();
    extendCanvas(store, 'right', 1);
    const { client, sent } = fakeEngine({
      'job.outpaint': (p) => ({
        result: resultFor(p.jobId, 64, 32, p.settings.seed, 150),
        outpaint: { offset: p.offset, source: { width: 32, height: 32 }, blend: 4, candidates: 1, chosen: 0, context: 'tokens', newTokens: 16, totalTokens: 32 },
      }),
    });
    await runOutpaint(client, store);
    const p = sent[0]?.payload as { offset: { x: number; y: number }; imageTokens?: Uint16Array; image: { width: number; rgba: Uint8Array }; layout: { width: number } };
    expect(p.offset).toEqual({ x: 0, y: 0 });
    expect(Array.from(p.imageTokens ?? [])).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect([p.image.width, p.image.rgba[0], p.layout.width]).toEqual([32, 77, 64]);
    const s = store.getState();
    expect(s.job?.state).toBe('done');
    expect(s.gallery[0]).toMatchObject({ kind: 'outpaint', outpaint: { context: 'tokens' } });
    // The outpainted result is what the next Extend grows.
    expect(s.outpaintSource?.image.width).toBe(64);
    expect(selectCanOutpaint(s)).toBe(false);
    extendCanvas(store, 'bottom', 1);
    expect(selectOutpaintFrame(store.getState())).toEqual({ width: 64, height: 64, x: 0, y: 0 });
  });

  it('says what to do when there is nothing to extend or outpaint, and omits tokens of another model', async () => {
    const empty = createStudioStore();
    empty.getState().setActiveModel(modelInfo('m', ['sky']));
    expect(extendCanvas(empty, 'right', 1)).toBe(false);
    expect(empty.getState().toasts.at(-1)?.title).toBe('Nothing to extend');
    // An imported picture (no result yet) is extended too; the engine encodes it.
    empty.getState().resizeCanvas(32, 32, 0);
    empty.getState().setBaseImage({ width: 32, height: 32, rgba: new Uint8Array(32 * 32 * 4) });
    expect(extendCanvas(empty, 'bottom', 1)).toBe(true);
    const picture = fakeEngine({ 'job.outpaint': () => Promise.reject(new Error('stop')) });
    await runOutpaint(picture.client, empty);
    expect(picture.sent[0]?.payload).toMatchObject({ offset: { x: 0, y: 0 }, layout: { width: 32, height: 64 } });
    expect((picture.sent[0]?.payload as { imageTokens?: unknown }).imageTokens).toBeUndefined();
    const store = generatedStore();
    await runOutpaint(fakeEngine({}).client, store);
    expect(store.getState().toasts.at(-1)?.title).toBe('Extend the canvas first');
    extendCanvas(store, 'right', 1);
    store.getState().setActiveModel(modelInfo('other', ['sky', 'water']));
    const { client, sent } = fakeEngine({ 'job.outpaint': () => Promise.reject(new Error('stop')) });
    await runOutpaint(client, store);
    expect((sent[0]?.payload as { imageTokens?: unknown }).imageTokens).toBeUndefined();
  });

  it('a dropped Tessera PNG of this model lends its own tokens; edited pixels do not', async () => {
    const store = createStudioStore();
    store.getState().setActiveModel(modelInfo('m', ['sky', 'water']));
    store.getState().resizeCanvas(32, 32, 0);
    const image = { width: 32, height: 32, rgba: new Uint8Array(32 * 32 * 4).fill(40) };
    const tokens = Array.from({ length: 16 }, (_, i) => 15 - i);
    const text = { [TOKENS_KEY]: tokensText({ model: { id: 'm', version: '1' }, grid: { rows: 4, cols: 4 }, tokens, image }) };
    store.getState().setBaseImage(image);
    store.getState().setImportedText({ image, text });
    extendCanvas(store, 'right', 1);
    const ok = fakeEngine({ 'job.outpaint': () => Promise.reject(new Error('stop')) });
    await runOutpaint(ok.client, store);
    expect(Array.from((ok.sent[0]?.payload as { imageTokens?: Uint16Array }).imageTokens ?? [])).toEqual(tokens);
    // The same tEXt on other pixels: the tokens do not describe them, so the engine encodes.
    const other = createStudioStore();
    other.getState().setActiveModel(modelInfo('m', ['sky', 'water']));
    other.getState().resizeCanvas(32, 32, 0);
    const edited = { ...image, rgba: image.rgba.slice().fill(41) };
    other.getState().setBaseImage(edited);
    other.getState().setImportedText({ image: edited, text });
    extendCanvas(other, 'right', 1);
    const enc = fakeEngine({ 'job.outpaint': () => Promise.reject(new Error('stop')) });
    await runOutpaint(enc.client, other);
    expect((enc.sent[0]?.payload as { imageTokens?: unknown }).imageTokens).toBeUndefined();
  });
});
