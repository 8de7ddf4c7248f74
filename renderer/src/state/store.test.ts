import { describe, expect, it, vi } from 'vitest';
import { brushSegment } from '../tools/brush.ts';
import { floodFill } from '../tools/flood-fill.ts';
import { parseSeeds } from './batch-slice.ts';
import { selectCanRedo, selectCanUndo } from './document-slice.ts';
import { createStudioStore } from './store.ts';
import { nextBrushSize } from './tools-slice.ts';

describe('studio store', () => {
  it('applies edits, undoes and redoes them, and bumps the layout revision each time', () => {
    const store = createStudioStore();
    const s = store.getState();
    s.resizeCanvas(16, 16, 0);
    const rev = store.getState().layoutRevision;
    const layout = store.getState().layout;
    store.getState().applyPatchEdit(floodFill(layout, 0, 0, 3), 'fill');
    expect(store.getState().layout.data[100]).toBe(3);
    expect(store.getState().layoutRevision).toBe(rev + 1);
    expect(selectCanUndo(store.getState())).toBe(true);
    store.getState().undo();
    expect(store.getState().layout.data[100]).toBe(0);
    expect(selectCanRedo(store.getState())).toBe(true);
    store.getState().redo();
    expect(store.getState().layout.data[100]).toBe(3);
    // Undo of the resize brings back the old size.
    store.getState().undo();
    store.getState().undo();
    expect(store.getState().layout.width).toBe(256);
  });

  it('a progress event notifies progress subscribers but does not touch the layout or the preview', () => {
    const store = createStudioStore();
    store.getState().startJob('j1', 'generate');
    const layoutListener = vi.fn();
    const previewListener = vi.fn();
    let lastLayout = store.getState().layoutRevision;
    let lastPreview = store.getState().preview;
    store.subscribe((s) => {
      if (s.layoutRevision !== lastLayout) layoutListener();
      if (s.preview !== lastPreview) previewListener();
      lastLayout = s.layoutRevision;
      lastPreview = s.preview;
    });
    store.getState().handleJobEvent({ type: 'job.progressed', jobId: 'j1', tokensDone: 10, tokensTotal: 100, tokensPerSecond: 50, etaSeconds: 1.8 });
    expect(store.getState().job?.tokensDone).toBe(10);
    expect(layoutListener).not.toHaveBeenCalled();
    expect(previewListener).not.toHaveBeenCalled();
    store.getState().handleJobEvent({ type: 'job.windowCompleted', jobId: 'j1', tokensDone: 12, preview: { kind: 'tokens', image: { width: 1, height: 1, rgba: new Uint8Array(4) } } });
    expect(previewListener).toHaveBeenCalledTimes(1);
    expect(store.getState().job?.previewCount).toBe(1);
    // Events of another job are ignored.
    store.getState().handleJobEvent({ type: 'job.progressed', jobId: 'other', tokensDone: 99, tokensTotal: 100, tokensPerSecond: 1, etaSeconds: null });
    expect(store.getState().job?.tokensDone).toBe(10);
  });

  it('counts coalesced previews, and a late partial never replaces the final image', () => {
    const store = createStudioStore();
    store.getState().startJob('j', 'generate');
    const image = { width: 1, height: 1, rgba: new Uint8Array(4) };
    store.getState().handleJobEvent({ type: 'job.windowCompleted', jobId: 'j', tokensDone: 8, preview: { kind: 'decoded', image } }, 3);
    expect(store.getState().job?.previewCount).toBe(3);
    store.getState().setJobState('j', 'done');
    const final = { width: 1, height: 1, rgba: new Uint8Array(4).fill(9) };
    store.getState().showFinal('j', final);
    store.getState().handleJobEvent({ type: 'job.windowCompleted', jobId: 'j', tokensDone: 9, preview: { kind: 'decoded', image } });
    expect(store.getState().preview?.image).toBe(final);
  });

  it('mask edits have their own history and never clear the layout redo', () => {
    const store = createStudioStore();
    const layout = store.getState().layout;
    store.getState().applyPatchEdit(floodFill(layout, 0, 0, 2), 'fill');
    store.getState().undo();
    store.getState().enterInpaint();
    const mask = store.getState().mask;
    const patch = brushSegment(mask, { x: 10, y: 10 }, { x: 10, y: 10 }, 5, 1);
    mask.data.set(mask.data); // no-op: the controller applies before committing
    store.getState().commitMaskPatch(patch);
    expect(store.getState().maskHistory.undo).toHaveLength(1);
    expect(selectCanRedo(store.getState())).toBe(true);
  });

  it('brush size steps reach both ends', () => {
    let size = 1;
    for (let i = 0; i < 40; i++) size = nextBrushSize(size, 1);
    expect(size).toBe(256);
    for (let i = 0; i < 40; i++) size = nextBrushSize(size, -1);
    expect(size).toBe(1);
  });

  it('parses batch seeds: lists, ranges and random counts, with readable errors', () => {
    expect(parseSeeds('1-4', () => 0)).toEqual({ seeds: [1, 2, 3, 4] });
    expect(parseSeeds('7, 9 12', () => 0)).toEqual({ seeds: [7, 9, 12] });
    expect(parseSeeds('x3', () => 5)).toEqual({ seeds: [5, 5, 5] });
    expect(parseSeeds('abc', () => 0)).toMatchObject({ error: expect.stringMatching(/not a seed/) });
    expect(parseSeeds('', () => 0)).toMatchObject({ error: expect.stringMatching(/at least one/) });
  });
});
