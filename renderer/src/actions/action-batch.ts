/**
 * Batch: the chosen layouts × seeds as one job.batch. Each finished image arrives as a
 * job.itemFinished event and lands in the gallery at once; the engine also writes the files
 * into the output folder (in serve mode the server confines it under its --out root).
 */
import type { EngineClient } from '../bridge/engine-client.ts';
import { batchCounts, batchRows, parseSeeds, studioGroupSize, type BatchPlan } from '../state/batch-slice.ts';
import { randomSeed } from '../state/generation-slice.ts';
import { selectBatchQueue, type QueueBackend } from '../state/queue-slice.ts';
import type { StudioStore } from '../state/store.ts';
import type { Layout } from '../state/types.ts';
import { TesseraError } from '../../../shared/errors.ts';
import { describeError } from './errors.ts';
import { reportJobError } from './action-generate.ts';
import { copyLayout, newId } from './ids.ts';

export async function runBatch(client: EngineClient, store: StudioStore): Promise<void> {
  const s = store.getState();
  const model = s.activeModel;
  if (!model || s.job?.state === 'running' || s.job?.state === 'cancelling') return;
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
  // Always a named folder (serve mode would otherwise pick a new timestamped one), so Resume finds it again.
  const folder = s.batchFolder.trim() || `batch-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`;
  const plan: BatchPlan = { modelId: model.id, layouts, seeds: parsed.seeds, settings: s.settings, folder };
  s.setBatchPlan(plan);
  s.setBatchItems(batchRows(layouts.map((l) => l.name), parsed.seeds).map((row) => ({ ...row, state: 'pending' as const })));
  await sendBatch(client, store, plan, false);
}

/**
 * Resume: the last batch again, same layouts, seeds, settings and folder. The engine finds the
 * images already in the folder (checked file by file) and makes only the rest.
 */
export async function resumeBatch(client: EngineClient, store: StudioStore): Promise<void> {
  const s = store.getState();
  const plan = s.batchPlan;
  if (!plan) return;
  if (s.activeModel?.id !== plan.modelId) {
    s.notify({ tone: 'error', title: 'Load the batch’s model to resume it', detail: `This batch was made with ${plan.modelId}; pick it in the Generate tab, then press Resume again.` });
    return;
  }
  await sendBatch(client, store, plan, true);
}

/**
 * After a refusal for a folder that holds another batch: the same run again, mixing them. The
 * engine makes again every image that does not match this run (the CLI's --force).
 */
export async function mixIntoFolder(client: EngineClient, store: StudioStore): Promise<void> {
  const plan = store.getState().batchPlan;
  if (!plan || !store.getState().batchConflict) return;
  await sendBatch(client, store, plan, true, true);
}

async function sendBatch(client: EngineClient, store: StudioStore, plan: BatchPlan, resuming: boolean, force = false): Promise<void> {
  const s = store.getState();
  const model = s.activeModel;
  if (!model || s.job?.state === 'running' || s.job?.state === 'cancelling') return;
  const jobId = newId('batch');
  const byName = new Map(plan.layouts.map((l) => [l.name, l.layout]));
  const total = store.getState().batchItems.length;
  s.setBatchOutDir(null);
  s.setBatchConflict(null);
  s.startJob(jobId, 'batch');
  const off = client.onEvent((event) => {
    if (event.type !== 'job.itemFinished' || event.jobId !== jobId || !event.result) return;
    const layout = byName.get(event.item.layout) ?? plan.layouts[0]?.layout;
    if (!layout) return;
    store.getState().addResult(
      { id: newId('res'), createdAt: Date.now(), kind: 'batch', modelId: model.id, modelName: model.name, modelVersion: model.version, layout, result: event.result, label: event.item.layout, file: event.item.file },
      { select: true },
    );
  });
  try {
    const summary = await client.request('job.batch', {
      jobId,
      model: model.id,
      layouts: plan.layouts,
      seeds: plan.seeds,
      settings: plan.settings,
      outDir: plan.folder,
      groupSize: studioGroupSize(total),
      // A queue set in the Batch panel: the workers of that Redis queue make the images (docs/DISTRIBUTED.md).
      ...withQueue(store.getState()),
      ...(force ? { force: true } : {}),
    });
    store.getState().setBatchItems(summary.items);
    store.getState().setBatchOutDir(summary.outDir ?? null);
    store.getState().setJobState(jobId, 'done');
    const counts = batchCounts(summary.items);
    const before = summary.items.filter((i) => i.state === 'skipped').length;
    store.getState().notify({
      tone: counts.failed ? 'error' : 'success',
      title: `Batch finished: ${counts.finished} of ${counts.total} images`,
      detail: [resuming && before > 0 ? `${before} were already finished before this run.` : '', summary.outDir ? `Saved in ${summary.outDir}` : ''].filter(Boolean).join(' ') || undefined,
    });
  } catch (error) {
    // Finished images stay (in the gallery, the rows and the folder); the rest can be resumed.
    store.getState().settleBatchItems();
    if (error instanceof TesseraError && error.details?.batchConflict === true) store.getState().setBatchConflict({ folder: plan.folder, message: error.message });
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

function withQueue(s: Parameters<typeof selectBatchQueue>[0]): { queue?: { url: string; backend: QueueBackend } } {
  const queue = selectBatchQueue(s);
  return queue ? { queue } : {};
}
