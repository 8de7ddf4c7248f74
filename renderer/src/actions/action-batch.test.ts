import { describe, expect, it } from 'vitest';
import { createStudioStore } from '../state/store.ts';
import { TesseraError } from '../../../shared/errors.ts';
import { mixIntoFolder, runBatch } from './action-batch.ts';
import { fakeEngine, modelInfo, resultFor } from './fake-engine.ts';

/** A studio with a 32×32 canvas on a one-class model, and the Batch panel's seeds and folder filled in. */
function batchStudio(seeds: string, folder: string) {
  const store = createStudioStore();
  store.getState().setActiveModel(modelInfo('m', ['sky']));
  store.getState().resizeCanvas(32, 32, 0);
  store.getState().setBatchSeeds(seeds);
  store.getState().setBatchFolder(folder);
  return store;
}

describe('batch', () => {
  it('sends layouts × seeds, files each finished image in the gallery, and reports the folder', async () => {
    const store = batchStudio('5-6', 'lakes');
    const { client, sent } = fakeEngine({
      'job.batch': (p, emit) => {
        const items = p.layouts.flatMap((l) => p.seeds.map((seed) => ({ layout: l.name, seed, state: 'done' as const, file: `${l.name}-${seed}.png` })));
        items.forEach((item, index) => emit({ type: 'job.itemFinished', jobId: p.jobId, item, index, result: resultFor(p.jobId, 32, 32, item.seed) }));
        return { jobId: p.jobId, items, outDir: `/srv/out/${p.outDir}`, seconds: 1 };
      },
    });
    await runBatch(client, store);
    const payload = sent[0]?.payload as { seeds: number[]; layouts: unknown[]; outDir: string };
    expect(payload.seeds).toEqual([5, 6]);
    expect(payload.layouts).toHaveLength(1);
    expect(payload.outDir).toBe('lakes');
    const s = store.getState();
    expect(s.gallery.map((g) => g.result.settings.seed).sort()).toEqual([5, 6]);
    expect(s.gallery.every((g) => g.kind === 'batch' && g.file?.endsWith('.png'))).toBe(true);
    expect(s.batchOutDir).toBe('/srv/out/lakes');
    expect(s.batchItems.every((i) => i.state === 'done')).toBe(true);
    expect(s.job?.state).toBe('done');
  });

  it('offers to mix into a folder that holds another batch, and sends the same run with force', async () => {
    const store = batchStudio('1', 'lakes');
    const conflict = new TesseraError('BAD_INPUT', 'lakes already holds a batch made with topK 8 instead of 9 (batch.json). Use another output folder, or mix them.', { batchConflict: true });
    const { client, sent } = fakeEngine({
      'job.batch': (p) => {
        if (!p.force) throw conflict;
        return { jobId: p.jobId, items: [{ layout: p.layouts[0]!.name, seed: 1, state: 'done' as const }], outDir: p.outDir, seconds: 1 };
      },
    });
    await runBatch(client, store);
    expect(store.getState().batchConflict).toEqual({ folder: 'lakes', message: conflict.message });
    await mixIntoFolder(client, store);
    expect(sent[1]?.payload as { force?: boolean; outDir: string; seeds: number[] }).toMatchObject({ force: true, outDir: 'lakes', seeds: [1] });
    expect(store.getState().batchConflict).toBeNull();
    expect(store.getState().job?.state).toBe('done');
  });

  it('explains bad seeds without calling the engine', async () => {
    const store = createStudioStore();
    store.getState().setActiveModel(modelInfo('m', ['sky']));
    store.getState().setBatchSeeds('many');
    const { client, sent } = fakeEngine({});
    await runBatch(client, store);
    expect(sent).toHaveLength(0);
    expect(store.getState().toasts[0]?.title).toMatch(/seeds/);
  });
});
