/**
 * One generation: check the layout, encode it to cond tokens, sample image tokens (exact,
 * cached or parallel, several samples batched into one forward), stream previews and progress, and decode the
 * final image. Several samples (seeds, or layouts of one size) run as one batch: the transformer
 * and decoder see [B, …] tensors, and each sample keeps its own PRNG, so sample b's tokens are
 * the same as when it runs alone.
 */
import { TesseraError } from '../shared/errors.ts';
import { checkCanvasSize, type GridSize, type PixelSize } from '../shared/grid.ts';
import { labelMapFromIndices, type LabelMap } from '../shared/labelmap.ts';
import { DEFAULT_LEAD } from '../shared/parallel-schedule.ts';
import { Xoshiro128 } from '../shared/prng.ts';
import type { EngineEvent, GenerationResult, GenerationSettings } from '../shared/protocol.ts';
import type { CancelToken } from './cancel.ts';
import { plannedWork } from './jobs/planned-work.ts';
import { ProgressMeter } from './jobs/progress.ts';
import type { LoadedModel } from './model/loaded-model.ts';
import { DecodedPreview } from './preview/decoded-preview.ts';
import { TokenPreview } from './preview/token-preview.ts';
import { runSampler, type SamplerStats } from './sampler/index.ts';

/** Least time between two token previews inside one chunk. */
const TOKEN_PREVIEW_MS = 100;

export interface GenerateTuning {
  maxCanvas: PixelSize;
  reuseWindowCache: boolean;
  maxCacheBytes: number;
  /** Share of sampling time decoded previews may use. */
  previewBudget: number;
  previewMargin: number;
  clock: () => number;
}

export interface GenerateParams {
  jobId: string;
  /** One layout per sample, or one layout shared by every seed. */
  layouts: readonly LabelMap[];
  seeds: readonly number[];
  settings: GenerationSettings;
  /** Inpainting hooks: which tokens to sample (1) and the tokens to keep elsewhere, per sample. */
  region?: Uint8Array;
  initialTokens?: readonly Int32Array[];
  /** Batch position of each sample, copied into events (`item`). */
  items?: ReadonlyArray<{ index: number; total: number }>;
}

export interface GenerateOutcome {
  results: GenerationResult[];
  stats: SamplerStats & {
    /** From the job's start to the last token (cond encoding and preview decodes included). */
    samplingMs: number;
    /** Sampling time as the preview throttle counts it (between chunks, previews excluded). */
    throttleSamplingMs: number;
    previewDecodeMs: number;
    previewDecodes: number;
    maxPreviewDecodeMs: number;
    firstPreviewMs: number | null;
    finalDecodeMs: number;
  };
}

/** BAD_CANVAS_SIZE with the sizes that would work, or BAD_INPUT for unknown classes. */
export function checkLayout(layout: LabelMap, model: Pick<LoadedModel, 'manifest'>, maxCanvas: PixelSize): GridSize {
  const m = model.manifest;
  const check = checkCanvasSize({ width: layout.width, height: layout.height }, m.gridFactor, m.window, maxCanvas);
  if (!check.ok) {
    const sizes = check.suggestions.map((s) => `${s.width}×${s.height}`).join(', ');
    throw new TesseraError('BAD_CANVAS_SIZE', `${check.reason}. Sizes that would work: ${sizes}.`, { suggestions: check.suggestions });
  }
  labelMapFromIndices(layout.data, layout.width, layout.height, m.classes.length);
  return check.grid;
}

export function checkSettings(settings: GenerationSettings, model: Pick<LoadedModel, 'manifest'>): void {
  const w = model.manifest.window.cols;
  if (settings.stride > w) throw new TesseraError('BAD_INPUT', `stride ${settings.stride} is wider than the model's window (${w} tokens); use 1..${w}.`);
}

export async function generate(model: LoadedModel, params: GenerateParams, emit: (e: EngineEvent) => void, cancel: CancelToken, tuning: GenerateTuning): Promise<GenerateOutcome> {
  const started = tuning.clock();
  const { settings } = params;
  const batch = params.seeds.length;
  if (batch < 1) throw new TesseraError('BAD_INPUT', 'At least one seed is needed.');
  const layouts = params.layouts.length === 1 ? Array.from({ length: batch }, () => params.layouts[0] as LabelMap) : [...params.layouts];
  if (layouts.length !== batch) throw new TesseraError('BAD_INPUT', `${params.layouts.length} layouts for ${batch} seeds: give one layout, or one per seed.`);
  const first = layouts[0] as LabelMap;
  if (layouts.some((l) => l.width !== first.width || l.height !== first.height)) throw new TesseraError('BAD_INPUT', 'Layouts batched together must have the same size.');
  for (const l of new Set(layouts)) checkLayout(l, model, tuning.maxCanvas);
  checkSettings(settings, model);
  const m = model.manifest;
  const window = m.window;

  cancel.throwIfCancelled();
  const { grid, tokens: cond } = await model.encodeLayouts(layouts, cancel);
  const n = grid.rows * grid.cols;
  const tokens = Array.from({ length: batch }, (_, b) => (params.initialTokens?.[b] ? Int32Array.from(params.initialTokens[b] as Int32Array) : new Int32Array(n)));
  const entropy: Array<Float32Array<ArrayBuffer>> = Array.from({ length: batch }, () => new Float32Array(n));
  const region = params.region ?? null;
  if (region && region.length !== n) throw new TesseraError('BAD_INPUT', `The region has ${region.length} entries for a ${grid.cols}×${grid.rows} token grid.`);
  const known = new Uint8Array(n);
  if (region) for (let i = 0; i < n; i++) known[i] = region[i] ? 0 : 1;

  const tokenPreviews = layouts.map((l) => new TokenPreview(m, l, grid));
  const decoded = settings.decodedPreviews ? new DecodedPreview(model, layouts, grid, { budget: tuning.previewBudget, margin: tuning.previewMargin, clock: tuning.clock }) : null;
  const total = region ? region.reduce((s, v) => s + (v ? 1 : 0), 0) : n;
  // The ETA follows planned work (a cached window's prefill costs more than its next tokens) and
  // adds the final decode once a preview decode has measured its cost (jobs/planned-work.ts).
  const meter = new ProgressMeter(total, tuning.clock, plannedWork(settings.sampler, grid, window, settings.stride, region, tuning.reuseWindowCache));
  const item = (b: number): { item?: { index: number; total: number } } => (params.items?.[b] ? { item: params.items[b] } : batch > 1 ? { item: { index: b, total: batch } } : {});
  let firstPreviewMs: number | null = null;
  let lastChunkEnd = tuning.clock();
  let lastTokenPreview = -Infinity;
  const emitTokenPreviews = (tokensDone: number): void => {
    for (let b = 0; b < batch; b++) {
      emit({ type: 'job.windowCompleted', jobId: params.jobId, tokensDone, preview: { kind: 'tokens', image: (tokenPreviews[b] as TokenPreview).render(tokens[b] as Int32Array, known) }, ...item(b) });
    }
    lastTokenPreview = tuning.clock();
    firstPreviewMs ??= lastTokenPreview - started;
  };

  const stats = await runSampler(
    settings.sampler,
    {
      grid,
      window,
      cond,
      tokens,
      entropy,
      region,
      rngs: params.seeds.map((s) => new Xoshiro128(s)),
      settings: { temperature: settings.temperature, topK: settings.topK, topP: settings.topP },
      imageVocab: m.vocab.image,
      stride: settings.stride,
      cancel,
      // Inside a long chunk (big stride, slow model), a token preview at the first token and then at
      // most every TOKEN_PREVIEW_MS, so the first preview comes after one forward, not one chunk.
      onToken: (index, tokensDone) => {
        known[index] = 1;
        decoded?.markSampled(index);
        if (tuning.clock() - lastTokenPreview >= TOKEN_PREVIEW_MS) emitTokenPreviews(tokensDone);
      },
      onChunk: async ({ tokensDone, tokensTotal }) => {
        const now = tuning.clock();
        decoded?.addSamplingTime(now - lastChunkEnd);
        emitTokenPreviews(tokensDone);
        const rate = meter.measure(tokensDone, (decoded?.predictedFullDecodeMs() ?? 0) / 1000);
        emit({ type: 'job.progressed', jobId: params.jobId, tokensDone, tokensTotal, tokensPerSecond: rate.tokensPerSecond, etaSeconds: rate.etaSeconds, ...(batch === 1 ? item(0) : {}) });
        // The last chunk's preview would be replaced by the final decode at once.
        if (decoded && tokensDone < tokensTotal && decoded.due()) {
          const images = await decoded.decode(tokens, cancel);
          images.forEach((image, b) => emit({ type: 'job.windowCompleted', jobId: params.jobId, tokensDone, preview: { kind: 'decoded', image }, ...item(b) }));
        }
        lastChunkEnd = tuning.clock();
      },
    },
    model.transformer,
    { reuseWindowCache: tuning.reuseWindowCache, maxCacheBytes: tuning.maxCacheBytes, lead: settings.lead ?? m.defaults?.lead ?? DEFAULT_LEAD, order: m.defaults?.parallelOrder ?? 'bands' },
  );
  const samplingDone = tuning.clock();
  // Tiled, one sample at a time, to RGBA: the decoder's memory stays that of one tile (loaded-model.ts).
  const images = await model.decodeToRgba(tokens, grid, cancel);
  const finalDecodeMs = tuning.clock() - samplingDone;
  const width = grid.cols * m.gridFactor;
  const height = grid.rows * m.gridFactor;
  const seconds = (tuning.clock() - started) / 1000;
  const results: GenerationResult[] = tokens.map((t, b) => {
    const result: GenerationResult = {
      jobId: params.jobId,
      image: { width, height, rgba: images[b] as Uint8Array<ArrayBuffer> },
      tokens: Uint16Array.from(t),
      entropy: entropy[b] as Float32Array<ArrayBuffer>,
      grid: { rows: grid.rows, cols: grid.cols },
      settings: { ...settings, seed: params.seeds[b] as number },
      modelId: m.id,
      backend: model.runtime.backend,
      seconds,
    };
    if (region) result.region = region.slice();
    return result;
  });
  const ds = decoded?.stats;
  return {
    results,
    stats: {
      ...stats,
      samplingMs: samplingDone - started,
      throttleSamplingMs: ds?.samplingMs ?? 0,
      previewDecodeMs: ds?.decodeMs ?? 0,
      previewDecodes: ds?.decodes ?? 0,
      maxPreviewDecodeMs: ds?.maxDecodeMs ?? 0,
      firstPreviewMs,
      finalDecodeMs,
    },
  };
}
