/**
 * Inpainting by editing token regions (taming's image-completion mode, generalised to any
 * region): the input image is encoded to tokens, the region's tokens are resampled in raster
 * order with the sliding window while every other token stays fixed and serves as context, and
 * the result is decoded. By default the input's own pixels are kept outside the region
 * (composite.ts), so unchanged areas do not drift through the VQGAN round trip.
 */
import { TesseraError } from '../../shared/errors.ts';
import type { PixelSize } from '../../shared/grid.ts';
import type { LabelMap } from '../../shared/labelmap.ts';
import type { GenerationResult, GenerationSettings, RgbaImage } from '../../shared/protocol.ts';
import type { Engine, EventSink, JobContext } from '../engine.ts';
import { checkLayout, checkSettings } from '../generate.ts';
import type { LoadedModel } from '../model/loaded-model.ts';
import { compositeImages, seamWeights } from './composite.ts';
import { encodeImage } from './encode-image.ts';
import { addTokens, countRegion, dilateRegion, layoutChangeRegion, maskToRegion, type PixelMask } from './region.ts';

/** The early size check's limit; the engine's own canvas limit still applies when sampling. */
const PROTOCOL_MAX_CANVAS: PixelSize = { width: 8192, height: 8192 };

export interface InpaintOptions {
  /** Tokens added around the mask and the layout change on every side. */
  dilation: number;
  /** Seam width in pixels (inside the region); 0 = hard edge. */
  blend: number;
  /** Keep the input's pixels outside the region (true) or return the full decode. */
  keepOutside: boolean;
}

export interface InpaintParams {
  image: RgbaImage;
  mask: PixelMask;
  /** The layout to condition on (the edited one in layout-edit mode). */
  layout: LabelMap;
  /** Layout-edit mode: the region also covers every token where `layout` differs from this. */
  previousLayout?: LabelMap | undefined;
  /** Click-a-token: single token indices (row·cols + col) added to the region, not dilated. */
  tokens?: readonly number[] | undefined;
  settings: GenerationSettings;
  options: InpaintOptions;
  maxCanvas?: PixelSize | undefined;
}

export interface InpaintOutcome {
  result: GenerationResult;
  /** Remarks for the user (e.g. "the region is everything: a plain generation"). */
  notes: string[];
  regionTokens: number;
  totalTokens: number;
  /** The input image's tokens (what every token outside the region still is). */
  inputTokens: Int32Array;
}

function sameSize(a: { width: number; height: number }, b: { width: number; height: number }, what: string): void {
  if (a.width !== b.width || a.height !== b.height) throw new TesseraError('BAD_INPUT', `${what} is ${b.width}×${b.height} px but the image is ${a.width}×${a.height} px; they must be the same size.`);
}

export async function inpaint(ctx: JobContext, model: LoadedModel, params: InpaintParams): Promise<InpaintOutcome> {
  const { image, mask, layout, options } = params;
  const m = model.manifest;
  if (mask.data.length !== mask.width * mask.height) throw new TesseraError('BAD_INPUT', `The mask holds ${mask.data.length} values for ${mask.width}×${mask.height} pixels.`);
  sameSize(image, mask, 'The mask');
  sameSize(image, layout, 'The layout');
  if (params.previousLayout) sameSize(image, params.previousLayout, 'The previous layout');
  let grid;
  try {
    grid = checkLayout(layout, model, params.maxCanvas ?? PROTOCOL_MAX_CANVAS);
  } catch (error) {
    if (error instanceof TesseraError && error.code === 'BAD_CANVAS_SIZE') {
      throw new TesseraError('BAD_CANVAS_SIZE', `The image cannot be encoded as it is: ${error.message} Pad or crop it first (the CLI's --fit pad|crop).`, error.details);
    }
    throw error;
  }
  checkSettings(params.settings, model);

  let region = maskToRegion(mask, grid, m.gridFactor);
  if (params.previousLayout) {
    const changed = layoutChangeRegion(params.previousLayout, layout, grid, m.gridFactor);
    for (let i = 0; i < region.length; i++) region[i] = (region[i] as number) | (changed[i] as number);
  }
  region = dilateRegion(region, grid, options.dilation);
  if (params.tokens?.length) region = addTokens(region, params.tokens, grid);
  const regionTokens = countRegion(region);
  const totalTokens = region.length;
  if (regionTokens === 0) {
    const sources = ['the mask selects no pixels', ...(params.previousLayout ? ['the layout is unchanged'] : []), ...(params.tokens ? ['no token was clicked'] : [])];
    throw new TesseraError('NOTHING_TO_DO', `Nothing to inpaint: ${sources.join(', ')}. Paint the region to regenerate${params.previousLayout ? ', or change the layout there' : ''}.`);
  }
  const notes: string[] = [];
  if (regionTokens === totalTokens) notes.push(`The region covers all ${totalTokens} tokens: this is a plain generation from the layout; nothing of the input image is kept.`);

  ctx.cancel.throwIfCancelled();
  const inputTokens = await encodeImage(model, image, grid, ctx.cancel);
  const outcome = await ctx.generate(model, { layouts: [layout], seeds: [params.settings.seed], settings: params.settings, region, initialTokens: [inputTokens] });
  const result = outcome.results[0] as GenerationResult;
  if (options.keepOutside) result.image = compositeImages(image, result.image, seamWeights(region, grid, m.gridFactor, options.blend));
  return { result, notes, regionTokens, totalTokens, inputTokens };
}

/** Runs an inpainting job through the engine's queue (cancel, job.finished / job.failed). */
export function runInpaintJob(engine: Engine, request: InpaintParams & { jobId: string; model: string }, emit: EventSink, onNote?: (message: string) => void): Promise<InpaintOutcome> {
  return engine.runJob(request.jobId, emit, async (ctx) => {
    const model = await ctx.model(request.model);
    const outcome = await inpaint(ctx, model, request);
    for (const n of outcome.notes) onNote?.(n);
    return outcome;
  });
}
