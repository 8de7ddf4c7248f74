/**
 * Generate: sends the layout and settings as job.generate, follows progress and previews through
 * the events, and files the result in the gallery. A new seed is rolled first unless locked.
 */
import { TesseraError } from '../../../shared/errors.ts';
import type { EngineClient } from '../bridge/engine-client.ts';
import type { StudioStore } from '../state/store.ts';
import { describeError } from './errors.ts';
import { copyLayout, newId } from './ids.ts';

/** Resolves once job `id` has stopped (done, failed, cancelled) or another job replaced it. */
export function jobSettled(store: StudioStore, id: string): Promise<void> {
  const settled = (): boolean => {
    const job = store.getState().job;
    return !job || job.id !== id || (job.state !== 'running' && job.state !== 'cancelling');
  };
  if (settled()) return Promise.resolve();
  return new Promise((resolve) => {
    const off = store.subscribe(() => {
      if (!settled()) return;
      off();
      resolve();
    });
  });
}

let waitingAfterCancel = false;

export async function generate(client: EngineClient, store: StudioStore): Promise<void> {
  const cancelling = store.getState().job;
  if (cancelling?.state === 'cancelling') {
    // Pressed right after Cancel: start as soon as the cancelled job has stopped (once, however often pressed).
    if (waitingAfterCancel) return;
    waitingAfterCancel = true;
    try {
      await jobSettled(store, cancelling.id);
    } finally {
      waitingAfterCancel = false;
    }
  }
  const s = store.getState();
  const model = s.activeModel;
  if (!model || (s.job && (s.job.state === 'running' || s.job.state === 'cancelling'))) return;
  if (!s.seedLocked && s.gallery.length > 0) s.rollSeed();
  const settings = store.getState().settings;
  const layout = copyLayout(s.layout);
  const jobId = newId('gen');
  s.startJob(jobId, 'generate');
  try {
    const result = await client.request('job.generate', { jobId, model: model.id, layout, settings });
    store.getState().setJobState(jobId, 'done');
    store.getState().showFinal(jobId, result.image);
    store.getState().addResult({ id: newId('res'), createdAt: Date.now(), kind: 'generate', modelId: model.id, modelName: model.name, modelVersion: model.version, layout, result });
  } catch (error) {
    reportJobError(store, jobId, error);
  }
}

export function reportJobError(store: StudioStore, jobId: string, error: unknown): void {
  if (error instanceof TesseraError && error.code === 'CANCELLED') {
    store.getState().setJobState(jobId, 'cancelled');
    return;
  }
  const { title, detail } = describeError(error);
  store.getState().setJobState(jobId, 'failed', detail);
  store.getState().notify({ tone: 'error', title, detail });
}

export async function cancelJob(client: EngineClient, store: StudioStore): Promise<void> {
  const job = store.getState().job;
  if (!job || job.state !== 'running') return;
  store.getState().setJobState(job.id, 'cancelling');
  try {
    await client.request('job.cancel', { jobId: job.id });
  } catch (error) {
    const { detail } = describeError(error);
    store.getState().notify({ tone: 'error', title: 'Could not cancel', detail });
  }
}
