/** Progress that stops counting when a job ends, batch rows that tell the bar's story, toasts that close. */
import { describe, expect, it } from 'vitest';
import { progressLabel } from '../panels/ProgressBar.tsx';
import { batchCounts, batchRows, studioGroupSize } from './batch-slice.ts';
import { createStudioStore } from './store.ts';
import { toastLifetimeMs } from './ui-slice.ts';

describe('progress', () => {
  it('"Done in X s" is measured once, when the job ends, not at every re-render', () => {
    const store = createStudioStore();
    store.getState().startJob('j', 'inpaint');
    store.getState().setJobState('j', 'done');
    const job = store.getState().job!;
    expect(job.finishedAt).not.toBeNull();
    const first = progressLabel(job, []);
    // A later re-render (another store change) reads the same job: the same text.
    store.getState().setOverlayOpacity(0.3);
    expect(progressLabel(store.getState().job!, [])).toBe(first);
    expect(store.getState().job!.finishedAt).toBe(job.finishedAt);
  });

  it('a batch row turns running when its image starts, and the label counts the rows', () => {
    const store = createStudioStore();
    store.getState().setBatchItems(batchRows(['lake'], [3, 1, 2]).map((r) => ({ ...r, state: 'pending' as const })));
    store.getState().startJob('b', 'batch');
    store.getState().handleJobEvent({ type: 'job.progressed', jobId: 'b', tokensDone: 5, tokensTotal: 64, tokensPerSecond: 1, etaSeconds: 3, item: { index: 1, total: 3 } });
    store.getState().handleJobEvent({ type: 'job.progressed', jobId: 'b', tokensDone: 5, tokensTotal: 192, tokensPerSecond: 1, etaSeconds: 9 });
    const s = store.getState();
    expect(s.batchItems.map((i) => i.state)).toEqual(['pending', 'running', 'pending']);
    expect(s.job?.tokensTotal).toBe(192); // the bar follows the whole batch, not one image
    expect(progressLabel(s.job!, s.batchItems)).toBe('0 of 3 images finished · making seed 2');
    store.getState().updateBatchItem(1, { layout: 'lake', seed: 2, state: 'done' });
    store.getState().settleBatchItems();
    store.getState().setJobState('b', 'cancelled');
    expect(batchCounts(store.getState().batchItems)).toMatchObject({ finished: 1, total: 3 });
    expect(progressLabel(store.getState().job!, store.getState().batchItems)).toMatch(/Cancelled · 1 of 3 images finished \(kept; Resume makes the rest\)/);
  });

  it('small studio batches make one image at a time, so a cancel keeps what finished', () => {
    expect(studioGroupSize(3)).toBe(1);
    expect(studioGroupSize(4)).toBe(1);
    expect(studioGroupSize(8)).toBe(2);
    expect(studioGroupSize(100)).toBe(4);
  });
});

describe('toasts', () => {
  it('every toast closes by itself, errors after a longer read', () => {
    for (const tone of ['info', 'success', 'error'] as const) expect(Number.isFinite(toastLifetimeMs(tone))).toBe(true);
    expect(toastLifetimeMs('error')).toBeGreaterThan(toastLifetimeMs('info'));
  });
});
