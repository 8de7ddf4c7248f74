/**
 * Outpaint: extend the canvas by whole token windows on one side (an undoable layout step; the
 * new strip continues the edge classes and can be painted), then sample only the new area with
 * the result kept at its offset (job.outpaint, live previews like generate). The result joins
 * the gallery with its record and becomes the image the next extension grows.
 */
import { readRecordTokens } from '../../../shared/result-record.ts';
import type { EngineClient } from '../bridge/engine-client.ts';
import { selectSelectedEntry } from '../state/gallery-slice.ts';
import { selectOutpaintFrame, type OutpaintSource } from '../state/outpaint-slice.ts';
import type { StudioStore } from '../state/store.ts';
import type { GalleryEntry } from '../state/types.ts';
import { extendLayout, type ExtendSide } from '../tools/extend-layout.ts';
import { reportJobError } from './action-generate.ts';
import { copyLayout, newId } from './ids.ts';

function sourceOf(entry: GalleryEntry): OutpaintSource {
  const { image } = entry.result;
  return { entryId: entry.id, image, tokens: entry.result.tokens, modelId: entry.modelId, frames: [{ width: image.width, height: image.height, x: 0, y: 0 }] };
}

/**
 * Grows the canvas by `windows` token windows on `side`. The image extended is the one already
 * being extended when the canvas is one of its sizes, else the selected result, else an imported
 * picture; its size must be the canvas's.
 */
export function extendCanvas(store: StudioStore, side: ExtendSide, windows: number): boolean {
  const s = store.getState();
  const model = s.activeModel;
  if (!model || (s.job && (s.job.state === 'running' || s.job.state === 'cancelling'))) return false;
  // The canvas changes size: inpaint mode's mask and base image belong to the old one.
  if (s.inpaintActive) s.exitInpaint();
  let source = selectOutpaintFrame(s) ? s.outpaintSource : null;
  if (!source) {
    const fits = (image: { width: number; height: number }): boolean => image.width === s.layout.width && image.height === s.layout.height;
    const entry = selectSelectedEntry(s) ?? s.gallery[0] ?? null;
    if (entry && fits(entry.result.image)) source = sourceOf(entry);
    else if (s.baseImage && fits(s.baseImage)) {
      // An imported picture: a Tessera PNG of this model lends its own tokens; anything else is encoded by the engine.
      const image = s.baseImage;
      const carried = s.importedText?.image === image ? readRecordTokens(s.importedText.text, { model: { id: model.id, version: model.version }, image, gridFactor: model.gridFactor }) : null;
      const own = carried && 'tokens' in carried ? carried.tokens : null;
      source = { entryId: '', image, tokens: own ?? new Uint16Array(0), modelId: own ? model.id : '', frames: [{ width: image.width, height: image.height, x: 0, y: 0 }] };
    } else if (entry) {
      s.notify({ tone: 'error', title: 'The canvas is not the result’s size', detail: `The selected result is ${entry.result.image.width}×${entry.result.image.height} but the canvas is ${s.layout.width}×${s.layout.height}: restore the result’s layout (History) and extend again.` });
      return false;
    } else {
      s.notify({ tone: 'error', title: 'Nothing to extend', detail: 'Generate a result (or drop a picture onto the window) first: Extend grows the canvas around it.' });
      return false;
    }
  }
  const frame = source.frames.find((f) => f.width === s.layout.width && f.height === s.layout.height) as (typeof source.frames)[number];
  const step = (side === 'left' || side === 'right' ? model.window.cols : model.window.rows) * model.gridFactor;
  const pixels = Math.max(1, Math.round(windows)) * step;
  const { map, dx, dy } = extendLayout(s.layout, side, pixels);
  const next = { width: map.width, height: map.height, x: frame.x + dx, y: frame.y + dy };
  s.replaceLayout(map, `extend ${side} by ${windows} window${windows === 1 ? '' : 's'}`);
  s.setOutpaintSource({ ...source, frames: [...source.frames.filter((f) => f.width !== next.width || f.height !== next.height), next] });
  return true;
}

export async function runOutpaint(client: EngineClient, store: StudioStore): Promise<void> {
  const s = store.getState();
  const model = s.activeModel;
  if (!model || (s.job && (s.job.state === 'running' || s.job.state === 'cancelling'))) return;
  const source = s.outpaintSource;
  const frame = selectOutpaintFrame(s);
  if (!source || !frame || (frame.width === source.image.width && frame.height === source.image.height)) {
    s.notify({ tone: 'error', title: 'Extend the canvas first', detail: 'Choose a side and Extend: the new area is what Outpaint samples.' });
    return;
  }
  if (!s.seedLocked) s.rollSeed();
  const settings = store.getState().settings;
  const layout = copyLayout(s.layout);
  const gf = model.gridFactor;
  // The result's own tokens are the context when this model made them; otherwise the engine encodes the pixels.
  const ownTokens = source.modelId === model.id && source.tokens.length === (source.image.width / gf) * (source.image.height / gf);
  const jobId = newId('out');
  s.startJob(jobId, 'outpaint');
  try {
    const reply = await client.request('job.outpaint', {
      jobId,
      model: model.id,
      image: source.image,
      ...(ownTokens ? { imageTokens: source.tokens } : {}),
      layout,
      offset: { x: frame.x, y: frame.y },
      settings,
      options: { blend: s.blend },
    });
    store.getState().setJobState(jobId, 'done');
    store.getState().showFinal(jobId, reply.result.image);
    const entry: GalleryEntry = { id: newId('res'), createdAt: Date.now(), kind: 'outpaint', modelId: model.id, modelName: model.name, modelVersion: model.version, outpaint: reply.outpaint, layout, result: reply.result };
    store.getState().addResult(entry);
    // The next Extend grows this result.
    store.getState().setOutpaintSource(sourceOf(entry));
  } catch (error) {
    reportJobError(store, jobId, error);
  }
}
