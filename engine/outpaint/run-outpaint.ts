/**
 * Outpainting: the canvas grows, the old image sits at an offset in the bigger layout, and only
 * the new area is sampled. It is inpainting whose region is "everything outside the old image",
 * run on the same machinery: the old image's tokens are the fixed context (given — a Tessera
 * PNG's record or the studio's result — or encoded with the image VQGAN, encode-image.ts), the
 * samplers resample only the region (any of exact, cached, parallel), and the old pixels are
 * kept exactly, with the seam blend inside the new area only (composite.ts). What each new token
 * sees, side by side: docs/SAMPLING.md "Outpainting".
 */
import { TesseraError } from '../../shared/errors.ts';
import type { PixelSize } from '../../shared/grid.ts';
import type { LabelMap } from '../../shared/labelmap.ts';
import type { EngineEvent, GenerationResult, GenerationSettings, RgbaImage } from '../../shared/protocol.ts';
import type { Engine, EventSink, JobContext } from '../engine.ts';
import { checkLayout, checkSettings } from '../generate.ts';
import { compositeImages, seamWeights } from '../inpaint/composite.ts';
import { encodeImage } from '../inpaint/encode-image.ts';
import { countRegion } from '../inpaint/region.ts';
import type { LoadedModel } from '../model/loaded-model.ts';
import { checkPlacement, newAreaRegion, placeImage, placeTokens, type PixelOffset, type Placement } from './placement.ts';
import { scoreSeam, seamBand } from './seam-score.ts';

const PROTOCOL_MAX_CANVAS: PixelSize = { width: 8192, height: 8192 };
export const MAX_CANDIDATES = 8;

export interface OutpaintOptions {
  /** Seam width in pixels, inside the new area; 0 = hard edge. */
  blend: number;
  /**
   * Candidates sampled for best-of-N (seam-score.ts); absent = the default: 4 when the canvas
   * grows above or left of the old image (where the causal order hides it from new tokens), else 1.
   */
  candidates?: number | undefined;
}

export interface OutpaintParams {
  /** The old image (its size a whole number of tokens). */
  image: RgbaImage;
  /** The old image's own tokens when known (from its record, or the studio's result); else it is encoded. */
  imageTokens?: ArrayLike<number> | undefined;
  /** The bigger layout. */
  layout: LabelMap;
  /** Where the old image's top-left corner sits in the layout, in pixels. */
  offset: PixelOffset;
  settings: GenerationSettings;
  options: OutpaintOptions;
  maxCanvas?: PixelSize | undefined;
}

export interface OutpaintOutcome {
  result: GenerationResult;
  notes: string[];
  placement: Placement;
  newTokens: number;
  totalTokens: number;
  /** Where the old image's tokens came from. */
  context: 'tokens' | 'encoded';
  candidates: number;
  /** Which candidate was kept (its seed is settings.seed + chosen). */
  chosen: number;
  /** Seam log-probability per candidate (nats); empty with one candidate. */
  scores: number[];
}

export function defaultCandidates(p: Placement): number {
  return p.grow.top > 0 || p.grow.left > 0 ? 4 : 1;
}

function checkTokens(tokens: ArrayLike<number>, p: Placement, vocab: number): void {
  const n = p.source.rows * p.source.cols;
  if (tokens.length !== n) throw new TesseraError('BAD_INPUT', `The image's tokens are ${tokens.length}, but a ${p.source.cols}×${p.source.rows}-token image has ${n}.`);
  for (let i = 0; i < n; i++) {
    const v = tokens[i] as number;
    if (!Number.isInteger(v) || v < 0 || v >= vocab) throw new TesseraError('BAD_INPUT', `The image's token ${i} is ${v}, outside this model's image codebook (0..${vocab - 1}): they were made by another model.`);
  }
}

/** Only one candidate's previews reach the viewer (the first); progress counts them all. */
function firstCandidateOnly(emit: EventSink, candidates: number): EventSink {
  if (candidates === 1) return emit;
  return (event: EngineEvent) => {
    if (event.type !== 'job.windowCompleted') return emit(event);
    if (event.item && event.item.index !== 0) return;
    const { item: _item, ...rest } = event;
    emit(rest);
  };
}

export async function outpaint(ctx: JobContext, model: LoadedModel, params: OutpaintParams): Promise<OutpaintOutcome> {
  const m = model.manifest;
  const { image, layout } = params;
  if (image.rgba.length !== image.width * image.height * 4) throw new TesseraError('BAD_INPUT', `The image holds ${image.rgba.length} bytes for ${image.width}×${image.height} RGBA pixels.`);
  const placement = checkPlacement(image, layout, params.offset, m.gridFactor);
  const grid = checkLayout(layout, model, params.maxCanvas ?? PROTOCOL_MAX_CANVAS);
  checkSettings(params.settings, model);
  const candidates = params.options.candidates ?? defaultCandidates(placement);
  if (!Number.isInteger(candidates) || candidates < 1 || candidates > MAX_CANDIDATES) throw new TesseraError('BAD_INPUT', `candidates must be 1..${MAX_CANDIDATES} (got ${candidates}).`);

  const region = newAreaRegion(placement);
  const notes: string[] = [];
  let context: 'tokens' | 'encoded';
  let oldTokens: ArrayLike<number>;
  if (params.imageTokens) {
    checkTokens(params.imageTokens, placement, m.vocab.image);
    oldTokens = params.imageTokens;
    context = 'tokens';
  } else {
    ctx.cancel.throwIfCancelled();
    oldTokens = await encodeImage(model, image, placement.source, ctx.cancel);
    context = 'encoded';
  }
  const initial = placeTokens(placement, oldTokens);
  const seeds = Array.from({ length: candidates }, (_, b) => (params.settings.seed + b) >>> 0);
  const outcome = await ctx.generate(model, { layouts: [layout], seeds, settings: params.settings, region, initialTokens: seeds.map(() => initial) }, firstCandidateOnly(ctx.emit, candidates));

  let chosen = 0;
  let scores: number[] = [];
  if (candidates > 1) {
    const { tokens: cond } = await model.encodeLayouts([layout], ctx.cancel);
    const grids = outcome.results.map((r) => Int32Array.from(r.tokens));
    const scored = await scoreSeam(model.transformer, cond[0] as Int32Array, grids, seamBand(region, grid, m.window), grid, m.window, m.vocab.image, ctx.cancel);
    scores = scored.scores;
    for (let b = 1; b < candidates; b++) if ((scores[b] as number) > (scores[chosen] as number)) chosen = b;
    notes.push(`best of ${candidates}: candidate ${chosen + 1} (seed ${seeds[chosen]}) continues into the old image most likely (${scored.tokens} seam tokens, log-probability ${scores.map((s) => s.toFixed(1)).join(' / ')})`);
  }
  const result = outcome.results[chosen] as GenerationResult;
  result.settings = { ...result.settings, seed: params.settings.seed };
  const placed = placeImage(image, { width: layout.width, height: layout.height }, params.offset);
  result.image = compositeImages(placed, result.image, seamWeights(region, grid, m.gridFactor, params.options.blend));
  return { result, notes, placement, newTokens: countRegion(region), totalTokens: region.length, context, candidates, chosen, scores };
}

/** Runs an outpainting job through the engine's queue (cancel, job.finished / job.failed). */
export function runOutpaintJob(engine: Engine, request: OutpaintParams & { jobId: string; model: string }, emit: EventSink, onNote?: (message: string) => void): Promise<OutpaintOutcome> {
  return engine.runJob(request.jobId, emit, async (ctx) => {
    const model = await ctx.model(request.model);
    const outcome = await outpaint(ctx, model, request);
    for (const n of outcome.notes) onNote?.(n);
    return outcome;
  });
}
