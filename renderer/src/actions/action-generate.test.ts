import { describe, expect, it } from 'vitest';
import { TesseraError } from '../../../shared/errors.ts';
import { createStudioStore } from '../state/store.ts';
import { cancelJob, generate } from './action-generate.ts';
import { fakeEngine, modelInfo, resultFor } from './fake-engine.ts';

function readyStore() {
  const store = createStudioStore();
  store.getState().setActiveModel(modelInfo('m', ['sky', 'water']));
  store.getState().resizeCanvas(64, 32, 0);
  return store;
}

describe('generate', () => {
  it('streams previews, then files the result with a copy of the layout', async () => {
    const store = readyStore();
    const { client, sent } = fakeEngine({
      'job.generate': (p, emit) => {
        const image = { width: 64, height: 32, rgba: new Uint8Array(64 * 32 * 4) };
        emit({ type: 'job.windowCompleted', jobId: p.jobId, tokensDone: 4, preview: { kind: 'tokens', image } });
        emit({ type: 'job.progressed', jobId: p.jobId, tokensDone: 4, tokensTotal: 32, tokensPerSecond: 10, etaSeconds: 2.8 });
        emit({ type: 'job.windowCompleted', jobId: p.jobId, tokensDone: 8, preview: { kind: 'decoded', image } });
        return resultFor(p.jobId, 64, 32, p.settings.seed);
      },
    });
    const off = client.onEvent((e) => store.getState().handleJobEvent(e));
    await generate(client, store);
    off();
    const s = store.getState();
    expect(s.job?.state).toBe('done');
    expect(s.job?.previewCount).toBe(2);
    expect(s.preview?.kind).toBe('final');
    expect(s.gallery).toHaveLength(1);
    const sentLayout = (sent[0]?.payload as { layout: { data: Uint8Array } }).layout;
    expect(s.gallery[0]?.layout.data).toEqual(sentLayout.data);
    expect(s.gallery[0]?.layout.data).not.toBe(s.layout.data); // a copy: painting on keeps history intact
  });

  it('rolls a new seed for each run unless the seed is locked', async () => {
    const store = readyStore();
    const { client, sent } = fakeEngine({ 'job.generate': (p) => resultFor(p.jobId, 64, 32, p.settings.seed) });
    await generate(client, store);
    await generate(client, store);
    const seeds = sent.map((x) => (x.payload as { settings: { seed: number } }).settings.seed);
    expect(seeds[0]).not.toBe(seeds[1]);
    store.getState().setSeedLocked(true);
    await generate(client, store);
    await generate(client, store);
    const locked = sent.slice(2).map((x) => (x.payload as { settings: { seed: number } }).settings.seed);
    expect(locked[0]).toBe(locked[1]);
  });

  it('marks a cancelled job cancelled, and a failed one failed with a toast', async () => {
    const store = readyStore();
    let release: (() => void) | null = null;
    const { client, sent } = fakeEngine({
      'job.generate': () =>
        new Promise((_, reject) => {
          release = () => reject(new TesseraError('CANCELLED', 'Cancelled.'));
        }),
      'job.cancel': () => {
        release?.();
        return { cancelled: true };
      },
    });
    const running = generate(client, store);
    await Promise.resolve();
    await cancelJob(client, store);
    await running;
    expect(sent.map((x) => x.type)).toEqual(['job.generate', 'job.cancel']);
    expect(store.getState().job?.state).toBe('cancelled');
    expect(store.getState().toasts).toHaveLength(0);

    const failing = fakeEngine({ 'job.generate': () => Promise.reject(new TesseraError('NUMERIC_ERROR', 'NaN logits')) });
    await generate(failing.client, store);
    expect(store.getState().job?.state).toBe('failed');
    expect(store.getState().toasts[0]?.detail).toBe('NaN logits');
  });
});

describe('generate right after cancel', () => {
  it('starts once the cancelled job has stopped instead of being ignored', async () => {
    const store = readyStore();
    let release: () => void = () => undefined;
    let calls = 0;
    const { client } = fakeEngine({
      'job.generate': async (p) => {
        calls++;
        if (calls === 1) {
          await new Promise<void>((r) => (release = r));
          throw new TesseraError('CANCELLED', 'Cancelled.');
        }
        return resultFor(p.jobId, 64, 32, p.settings.seed);
      },
      'job.cancel': () => ({ cancelled: true }),
    });
    const first = generate(client, store);
    await cancelJob(client, store);
    expect(store.getState().job?.state).toBe('cancelling');
    const second = generate(client, store); // pressed while the first winds down
    release();
    await first;
    await second;
    expect(calls).toBe(2);
    expect(store.getState().job?.state).toBe('done');
    expect(store.getState().gallery).toHaveLength(1);
  });
});
