/**
 * Batch: the chosen layouts × seeds as one job.batch. Each finished image arrives as a
 * job.itemFinished event and lands in the gallery at once; the engine also writes the files
 * into the output folder (in serve mode the server confines it under its --out root).
 */
import type { EngineClient } from '../bridge/engine-client.ts';
import { parseSeeds } from '../state/batch-slice.ts';
import { randomSeed } from '../state/generation-slice.ts';
import type { StudioStore } from '../state/store.ts';
import type { Layout } from '../state/types.ts';
import { describeError } from './errors.ts';
import { reportJobError } from './action-generate.ts';
import { copyLayout, newId } from './ids.ts';

export async function runBatch(client: EngineClient, store: StudioStore): Promise<void> {
  const s = store.getState();
  const model = s.activeModel;
  if (!model) return;
  const parsed = parseSeeds(s.batchSeeds, randomSeed);
  if ('error' in parsed) {
    s.notify({ tone: 'error', title: 'Check the seeds', detail: parsed.error });
    return;
  }
  const layouts: Array<{ name: string; layout: Layout }> = [];
  if (s.batchUseCurrent) layouts.push({ name: sanitise(s.projectName) || 'current', layout: copyLayout(s.layout) });
  for (const saved of s.savedLayouts) if (s.batchLayoutIds.includes(saved.id)) layouts.push({ name: sanitise(saved.name), layout: copyLayout(saved.layout) });
  if (layouts.length === 0) {
    s.notify({ tone: 'error', title: 'Pick a layout', detail: 'Tick the current layout or a saved one.' });
    return;
  }
  const jobId = newId('batch');
  const byName = new Map(layouts.map((l) => [l.name, l.layout]));
  s.setBatchItems(layouts.flatMap((l) => parsed.seeds.map((seed) => ({ layout: l.name, seed, state: 'pending' as const }))));
  s.setBatchOutDir(null);
  s.startJob(jobId, 'batch');
  const off = client.onEvent((event) => {
    if (event.type !== 'job.itemFinished' || event.jobId !== jobId || !event.result) return;
    const layout = byName.get(event.item.layout) ?? layouts[0]?.layout;
    if (!layout) return;
    store.getState().addResult(
      { id: newId('res'), createdAt: Date.now(), kind: 'batch', modelId: model.id, modelName: model.name, layout, result: event.result, label: event.item.layout, file: event.item.file },
      { select: true },
    );
  });
  try {
    const folder = s.batchFolder.trim();
    const summary = await client.request('job.batch', {
      jobId,
      model: model.id,
      layouts,
      seeds: parsed.seeds,
      settings: s.settings,
      ...(folder ? { outDir: folder } : {}),
    });
    store.getState().setBatchItems(summary.items);
    store.getState().setBatchOutDir(summary.outDir ?? null);
    store.getState().setJobState(jobId, 'done');
    const failed = summary.items.filter((i) => i.state === 'failed').length;
    store.getState().notify({
      tone: failed ? 'error' : 'success',
      title: `Batch finished: ${summary.items.length - failed} of ${summary.items.length} images`,
      detail: summary.outDir ? `Saved in ${summary.outDir}` : undefined,
    });
  } catch (error) {
    reportJobError(store, jobId, error);
    if (!(error instanceof Error)) console.warn(describeError(error));
  } finally {
    off();
  }
}

/** Layout names become file names on the engine side: keep them simple. */
function sanitise(name: string): string {
  return name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
}
