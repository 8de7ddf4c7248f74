import { describe, expect, it } from 'vitest';
import { createStudioStore } from '../state/store.ts';
import { brushSegment } from '../tools/brush.ts';
import { applyPatch } from '../tools/patch.ts';
import { acceptStaged, beginInpaint, discardStaged, runInpaint } from './action-inpaint.ts';
import { fakeEngine, modelInfo, resultFor } from './fake-engine.ts';

function inpaintStore() {
  const store = createStudioStore();
  store.getState().setActiveModel(modelInfo('m', ['sky', 'water']));
  store.getState().resizeCanvas(32, 32, 0);
  beginInpaint(store, { width: 32, height: 32, rgba: new Uint8Array(32 * 32 * 4).fill(9) });
  const mask = store.getState().mask;
  const patch = brushSegment(mask, { x: 4, y: 4 }, { x: 4, y: 4 }, 3, 1);
  applyPatch(mask, patch);
  store.getState().commitMaskPatch(patch);
  return store;
}

describe('inpaint', () => {
  it('sends the image, mask, layout and the layout before edits; stages the result', async () => {
    const store = inpaintStore();
    const { client, sent } = fakeEngine({ 'job.inpaint': (p) => resultFor(p.jobId, 32, 32, p.settings.seed, 200) });
    await runInpaint(client, store);
    const p = sent[0]?.payload as { mask: { data: Uint8Array }; image: { rgba: Uint8Array }; previousLayout?: unknown; tokens?: number[] };
    expect(p.mask.data.reduce((a, b) => a + b, 0)).toBe(9);
    expect(p.image.rgba[0]).toBe(9);
    expect(p.previousLayout).toBeDefined();
    expect(p.tokens).toBeUndefined();
    expect(store.getState().staging).toHaveLength(1);
    expect(store.getState().gallery).toHaveLength(0);
    acceptStaged(store);
    expect(store.getState().gallery).toHaveLength(1);
    expect(store.getState().baseImage?.rgba[0]).toBe(200);
    expect(store.getState().staging).toHaveLength(0);
  });

  it('discards a staged candidate without touching the gallery', async () => {
    const store = inpaintStore();
    await runInpaint(fakeEngine({ 'job.inpaint': (p) => resultFor(p.jobId, 32, 32, 1) }).client, store);
    discardStaged(store);
    expect(store.getState().staging).toHaveLength(0);
    expect(store.getState().gallery).toHaveLength(0);
  });

  it('resamples one token with an empty mask and the token index', async () => {
    const store = createStudioStore();
    store.getState().setActiveModel(modelInfo('m', ['sky']));
    store.getState().resizeCanvas(32, 32, 0);
    const { client, sent } = fakeEngine({ 'job.inpaint': (p) => resultFor(p.jobId, 32, 32, 1) });
    const layout = { width: 32, height: 32, data: new Uint8Array(1024) };
    await runInpaint(client, store, { tokens: [5], image: { width: 32, height: 32, rgba: new Uint8Array(4096) }, layout });
    const p = sent[0]?.payload as { mask: { data: Uint8Array }; tokens: number[] };
    expect(p.tokens).toEqual([5]);
    expect(p.mask.data.every((v) => v === 0)).toBe(true);
    expect(store.getState().inpaintActive).toBe(true);
    expect(store.getState().staging[0]?.kind).toBe('resample');
  });

  it('says so when the engine has no inpainting yet', async () => {
    const store = inpaintStore();
    await runInpaint(fakeEngine({}).client, store);
    expect(store.getState().job?.state).toBe('failed');
    expect(store.getState().toasts[0]?.title).toMatch(/not available/);
  });
});
