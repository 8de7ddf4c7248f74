/**
 * Inpaint: regenerate only the masked region (plus where the layout was repainted inside inpaint
 * mode) of the base image, as job.inpaint; candidates go to the staging strip for accept/discard.
 * Click-a-token resample is the same request with a single token index and an empty mask.
 */
import { TesseraError } from '../../../shared/errors.ts';
import type { EngineClient } from '../bridge/engine-client.ts';
import type { StudioStore } from '../state/store.ts';
import type { GalleryEntry, RgbaImage } from '../state/types.ts';
import { reportJobError } from './action-generate.ts';
import { copyLayout, newId } from './ids.ts';

export async function runInpaint(client: EngineClient, store: StudioStore, extra?: { tokens: number[]; image: RgbaImage; layout: GalleryEntry['layout'] }): Promise<void> {
  const s = store.getState();
  const model = s.activeModel;
  if (!model || s.job?.state === 'running') return;
  const image = extra?.image ?? s.staging[s.stagingIndex]?.result.image ?? s.baseImage;
  if (!image) {
    s.notify({ tone: 'error', title: 'No image to inpaint', detail: 'Generate a result or drop an image onto the window first.' });
    return;
  }
  const layout = copyLayout(extra?.layout ?? s.layout);
  if (image.width !== layout.width || image.height !== layout.height) {
    s.notify({ tone: 'error', title: 'Sizes differ', detail: `The image is ${image.width}×${image.height} but the layout is ${layout.width}×${layout.height}.` });
    return;
  }
  if (!s.seedLocked) s.rollSeed();
  const kind = extra ? 'resample' : 'inpaint';
  const mask = extra ? new Uint8Array(layout.width * layout.height) : s.mask.data.slice();
  const jobId = newId(kind);
  const options = { dilation: s.dilation, blend: s.blend, keepOutside: true };
  s.startJob(jobId, kind);
  try {
    const result = await client.request('job.inpaint', {
      jobId,
      model: model.id,
      image,
      mask: { width: layout.width, height: layout.height, data: mask },
      layout,
      ...(s.previousLayout && !extra ? { previousLayout: copyLayout(s.previousLayout) } : {}),
      ...(extra ? { tokens: extra.tokens } : {}),
      settings: store.getState().settings,
      options,
    });
    store.getState().setJobState(jobId, 'done');
    const entry: GalleryEntry = { id: newId('res'), createdAt: Date.now(), kind, modelId: model.id, modelName: model.name, modelVersion: model.version, inpaintOptions: options, layout, result };
    if (!store.getState().inpaintActive) {
      // A token click enters inpaint mode: show its controls, where the staged candidate is reviewed.
      store.getState().setBaseImage(image);
      store.getState().enterInpaint();
      store.getState().setRightTab('inpaint');
    }
    store.getState().stageResult(entry);
  } catch (error) {
    if (error instanceof TesseraError && error.code === 'BAD_REQUEST' && /inpaint/i.test(error.message)) {
      store.getState().setJobState(jobId, 'failed', error.message);
      store.getState().notify({ tone: 'error', title: 'Inpainting is not available in this engine yet', detail: error.message });
      return;
    }
    reportJobError(store, jobId, error);
  }
}

/** Accept: the staged candidate becomes the image being edited and joins the gallery. */
export function acceptStaged(store: StudioStore): void {
  const s = store.getState();
  const entry = s.staging[s.stagingIndex];
  if (!entry) return;
  s.addResult(entry);
  s.setBaseImage(entry.result.image);
  s.dropStaged(entry.id);
  // The accepted image was made from the layout as it is now: later repaints count from here.
  const target = s.paintTarget;
  s.enterInpaint();
  s.setPaintTarget(target);
}

export function discardStaged(store: StudioStore): void {
  const s = store.getState();
  const entry = s.staging[s.stagingIndex];
  if (entry) s.dropStaged(entry.id);
}

/** Starts inpainting on a result (or the current base image). */
export function beginInpaint(store: StudioStore, image: RgbaImage | null): void {
  const s = store.getState();
  const source = image ?? s.baseImage;
  if (!source) {
    s.notify({ tone: 'error', title: 'No image to inpaint', detail: 'Generate a result or drop an image onto the window first.' });
    return;
  }
  s.setBaseImage(source);
  s.enterInpaint();
  s.setRightTab('inpaint');
}
