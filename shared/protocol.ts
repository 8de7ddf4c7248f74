/**
 * The engine API: requests, replies and events, as zod schemas. The same messages travel over
 * Electron MessagePorts (structured clone) and over the serve-mode WebSocket (see wire.ts), so
 * they are plain data; typed arrays are allowed. Every receiver parses; a cast is never enough.
 *
 * Requests are `<domain>.<verb>` and get exactly one reply; events are in the past tense.
 */
import { z } from 'zod';
import { ErrorPayloadSchema } from './errors.ts';
import { ActiveBackendSchema, QueueStatusSchema, QueueUrlSchema, type QueueStatus } from './queue-target.ts';
import { MAX_LEAD, SamplerDefaultsSchema } from './manifest.ts';

const u8 = z.instanceof(Uint8Array);
const f32 = z.instanceof(Float32Array);
const u16 = z.instanceof(Uint16Array);
const id = z.string().min(1).max(128);
const positiveInt = z.number().int().positive();

export const BACKENDS = ['auto', 'cpu', 'webgpu', 'wasm'] as const;
export const BackendSchema = z.enum(BACKENDS);
export type Backend = z.infer<typeof BackendSchema>;
/** The backend actually running: `auto` resolves to one of these. */
export type ActiveBackend = Exclude<Backend, 'auto'>;

export const LabelMapSchema = z
  .strictObject({ width: positiveInt.max(8192), height: positiveInt.max(8192), data: u8 })
  .refine((m) => m.data.length === m.width * m.height, { message: 'data must hold width×height class indices', path: ['data'] });

/** An RGBA image (4 bytes per pixel). */
export const ImageSchema = z
  .strictObject({ width: positiveInt.max(8192), height: positiveInt.max(8192), rgba: u8 })
  .refine((m) => m.rgba.length === m.width * m.height * 4, { message: 'rgba must hold width×height×4 bytes', path: ['rgba'] });
export type RgbaImage = z.infer<typeof ImageSchema>;

/** exact: taming's per-token windows; cached: KV-cached chunks; parallel: several rows per forward. */
export const SAMPLERS = ['exact', 'cached', 'parallel'] as const;
export type SamplerName = (typeof SAMPLERS)[number];

export const SeedSchema = z.number().int().min(0).max(0xffffffff);

export const GenerationSettingsSchema = z.strictObject({
  seed: SeedSchema,
  /** 0 = greedy. */
  temperature: z.number().min(0).max(10),
  /** 0 = off. */
  topK: z.number().int().min(0).max(65536),
  /** 1 = off. */
  topP: z.number().gt(0).max(1),
  sampler: z.enum(SAMPLERS),
  stride: z.number().int().min(1).max(64),
  /** The parallel sampler's lead (columns a row stays ahead of the row below; default: the model's). */
  lead: z.number().int().min(1).max(MAX_LEAD).optional(),
  /** Decoded partial previews (the token-colour preview is always sent). */
  decodedPreviews: z.boolean().default(true),
});
export type GenerationSettings = z.infer<typeof GenerationSettingsSchema>;

export const ModelRefSchema = z.strictObject({
  /** A model id from models.list, or a path to a bundle folder (CLI and main only). */
  model: z.string().min(1).max(4096),
});

export const ModelInfoSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  /** Where it was found: the embedded default, the user's models folder, or an explicit path. */
  origin: z.enum(['embedded', 'user', 'path']),
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  gridFactor: z.number().int(),
  window: z.strictObject({ rows: z.number().int(), cols: z.number().int() }),
  classes: z.array(z.strictObject({ id: z.number().int(), name: z.string(), color: z.string() })),
  /** The manifest's defaults, as they are (one schema: a new default key must not make the reply invalid). */
  defaults: SamplerDefaultsSchema.optional(),
  /** Set once loaded. */
  backend: z.enum(['cpu', 'webgpu', 'wasm']).optional(),
  backendNote: z.string().optional(),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

export const VerifyReportSchema = z.strictObject({
  id: z.string(),
  ok: z.boolean(),
  checks: z.array(z.strictObject({ name: z.string(), ok: z.boolean(), message: z.string() })),
});
export type VerifyReport = z.infer<typeof VerifyReportSchema>;

export const InpaintOptionsSchema = z.strictObject({
  /** Tokens added around the mask on every side. */
  dilation: z.number().int().min(0).max(16).default(0),
  /** Width in pixels of the seam blend between kept and regenerated pixels; 0 = hard edge. */
  blend: z.number().int().min(0).max(64).default(4),
  /** Keep the input image's pixels outside the region (true), or output the full VQGAN decode. */
  keepOutside: z.boolean().default(true),
});

export const OutpaintOptionsSchema = z.strictObject({
  /** Width in pixels of the seam blend, inside the new area only; 0 = hard edge. */
  blend: z.number().int().min(0).max(64).default(4),
  /** Best of N (engine/outpaint/seam-score.ts); absent: 4 when growing up or left, else 1. */
  candidates: z.number().int().min(1).max(8).optional(),
});

/** What an outpainting did: the result record's `outpaint` block (shared/result-record.ts). */
export const OutpaintSummarySchema = z.strictObject({
  /** The old image's top-left corner in the layout, and its size, in pixels. */
  offset: z.strictObject({ x: z.number().int().nonnegative(), y: z.number().int().nonnegative() }),
  source: z.strictObject({ width: z.number().int().positive(), height: z.number().int().positive() }),
  blend: z.number().int().min(0).max(64),
  /** Candidates sampled (seeds seed..seed+N−1) and the one kept. */
  candidates: z.number().int().min(1).max(8),
  chosen: z.number().int().nonnegative(),
  /** Where the old image's tokens came from: its own (a record or the studio's result) or the image VQGAN. */
  context: z.enum(['tokens', 'encoded']),
  newTokens: z.number().int().positive(),
  totalTokens: z.number().int().positive(),
});
export type OutpaintSummary = z.infer<typeof OutpaintSummarySchema>;

export const RequestSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('models.list'), id }),
  z.strictObject({ type: z.literal('model.load'), id, model: z.string().min(1).max(4096), backend: BackendSchema.default('auto') }),
  z.strictObject({ type: z.literal('model.verify'), id, model: z.string().min(1).max(4096) }),
  z.strictObject({
    type: z.literal('job.generate'),
    id,
    jobId: id,
    model: z.string().min(1).max(4096),
    layout: LabelMapSchema,
    settings: GenerationSettingsSchema,
  }),
  z.strictObject({
    type: z.literal('job.batch'),
    id,
    jobId: id,
    model: z.string().min(1).max(4096),
    layouts: z.array(z.strictObject({ name: z.string().min(1).max(200), layout: LabelMapSchema })).min(1).max(1000),
    seeds: z.array(SeedSchema).min(1).max(10000),
    settings: GenerationSettingsSchema,
    /** Output folder on the engine's machine; omitted = results only travel back as events. */
    outDir: z.string().max(4096).optional(),
    /** Seeds sampled together per forward (default 4); the studio asks for fewer so images finish, and survive a cancel, one by one. */
    groupSize: z.number().int().min(1).max(16).optional(),
    /** Make the images on the workers of this Redis queue instead of this engine (docs/DISTRIBUTED.md); needs outDir. */
    queue: z.strictObject({ url: QueueUrlSchema, backend: ActiveBackendSchema.default('cpu') }).optional(),
    /**
     * Write into an outDir that holds a batch made with another model or other settings: images that
     * do not match this run are made again (the CLI's --force). Without it such a folder is refused
     * with BAD_INPUT and details.batchConflict.
     */
    force: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal('job.inpaint'),
    id,
    jobId: id,
    model: z.string().min(1).max(4096),
    image: ImageSchema,
    /** One byte per pixel, non-zero = resample. Same size as the image. */
    mask: z.strictObject({ width: positiveInt, height: positiveInt, data: u8 }),
    layout: LabelMapSchema,
    /** For layout-edit mode: the region is where `layout` differs from `previousLayout` (plus the mask). */
    previousLayout: LabelMapSchema.optional(),
    /** Resample single tokens (click-a-token): extra token indices (row*cols+col) added to the region. */
    tokens: z.array(z.number().int().nonnegative()).max(65536).optional(),
    settings: GenerationSettingsSchema,
    options: InpaintOptionsSchema.default({ dilation: 0, blend: 4, keepOutside: true }),
  }),
  z.strictObject({
    type: z.literal('job.outpaint'),
    id,
    jobId: id,
    model: z.string().min(1).max(4096),
    /** The old image; its sides are whole tokens. */
    image: ImageSchema,
    /** The old image's own tokens, row-major (the studio's result); omitted = encoded from the pixels. */
    imageTokens: u16.optional(),
    /** The bigger layout: the old image's area plus the new area. */
    layout: LabelMapSchema,
    /** Where the old image's top-left corner sits in the layout, in pixels on the token grid. */
    offset: z.strictObject({ x: z.number().int().min(0).max(8192), y: z.number().int().min(0).max(8192) }),
    settings: GenerationSettingsSchema,
    options: OutpaintOptionsSchema.default({ blend: 4 }),
  }),
  z.strictObject({ type: z.literal('job.cancel'), id, jobId: id }),
  /** The workers connected to a Redis queue for a model on a backend, and its job counts. */
  z.strictObject({ type: z.literal('queue.status'), id, url: QueueUrlSchema, model: z.string().min(1).max(4096), backend: ActiveBackendSchema.default('cpu') }),
]);
export type Request = z.infer<typeof RequestSchema>;
export type RequestType = Request['type'];
/** A request as written by a client (defaults not yet applied). */
export type RequestInput = z.input<typeof RequestSchema>;

export const GenerationResultSchema = z.strictObject({
  jobId: id,
  image: ImageSchema,
  /** The sampled tokens, row-major over the token grid. */
  tokens: u16,
  /** Entropy (nats) of each token's sampling distribution: the uncertainty heat-map. */
  entropy: f32,
  grid: z.strictObject({ rows: positiveInt, cols: positiveInt }),
  settings: GenerationSettingsSchema,
  modelId: z.string(),
  backend: z.enum(['cpu', 'webgpu', 'wasm']),
  seconds: z.number().nonnegative(),
  /** For inpainting: which tokens were resampled (1) or kept (0). */
  region: u8.optional(),
});
export type GenerationResult = z.infer<typeof GenerationResultSchema>;

export interface OutpaintReply {
  result: GenerationResult;
  outpaint: OutpaintSummary;
}

export const BatchItemSchema = z.strictObject({
  layout: z.string(),
  seed: SeedSchema,
  file: z.string().optional(),
  state: z.enum(['pending', 'running', 'done', 'failed', 'skipped']),
  error: z.string().optional(),
});
export type BatchItem = z.infer<typeof BatchItemSchema>;

export const BatchSummarySchema = z.strictObject({
  jobId: id,
  items: z.array(BatchItemSchema),
  outDir: z.string().optional(),
  seconds: z.number().nonnegative(),
});

export const ReplySchema = z.discriminatedUnion('ok', [
  z.strictObject({ type: z.literal('reply'), id, ok: z.literal(true), value: z.unknown() }),
  z.strictObject({ type: z.literal('reply'), id, ok: z.literal(false), error: ErrorPayloadSchema }),
]);
export type Reply = z.infer<typeof ReplySchema>;

/** The value each request's successful reply carries. */
export interface ReplyValues {
  'models.list': ModelInfo[];
  'model.load': ModelInfo;
  'model.verify': VerifyReport;
  'job.generate': GenerationResult;
  'job.batch': z.infer<typeof BatchSummarySchema>;
  'job.inpaint': GenerationResult;
  'job.outpaint': OutpaintReply;
  'job.cancel': { cancelled: boolean };
  'queue.status': QueueStatus;
}
export const ReplyValueSchemas = {
  'models.list': z.array(ModelInfoSchema),
  'model.load': ModelInfoSchema,
  'model.verify': VerifyReportSchema,
  'job.generate': GenerationResultSchema,
  'job.batch': BatchSummarySchema,
  'job.inpaint': GenerationResultSchema,
  'job.outpaint': z.strictObject({ result: GenerationResultSchema, outpaint: OutpaintSummarySchema }),
  'job.cancel': z.strictObject({ cancelled: z.boolean() }),
  'queue.status': QueueStatusSchema,
} as const satisfies { [K in RequestType]: z.ZodType<ReplyValues[K]> };

export const PreviewSchema = z.strictObject({
  /** `tokens`: one colour per token (instant); `decoded`: a VQGAN decode of the tokens so far. */
  kind: z.enum(['tokens', 'decoded']),
  image: ImageSchema,
});

export const EventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('job.progressed'),
    jobId: id,
    tokensDone: z.number().int().nonnegative(),
    tokensTotal: z.number().int().positive(),
    tokensPerSecond: z.number().nonnegative(),
    etaSeconds: z.number().nonnegative().nullable(),
    /** In a batch: which image (0-based) and how many. */
    item: z.strictObject({ index: z.number().int().nonnegative(), total: z.number().int().positive() }).optional(),
  }),
  z.strictObject({
    type: z.literal('job.windowCompleted'),
    jobId: id,
    /** Token rows [0, rowsDone) are final, plus `colsDone` tokens of the next row. */
    tokensDone: z.number().int().nonnegative(),
    preview: PreviewSchema,
    item: z.strictObject({ index: z.number().int().nonnegative(), total: z.number().int().positive() }).optional(),
  }),
  z.strictObject({
    type: z.literal('job.itemFinished'),
    jobId: id,
    item: BatchItemSchema,
    index: z.number().int().nonnegative(),
    result: GenerationResultSchema.optional(),
  }),
  z.strictObject({ type: z.literal('job.finished'), jobId: id }),
  z.strictObject({ type: z.literal('job.failed'), jobId: id, error: ErrorPayloadSchema }),
  z.strictObject({ type: z.literal('engine.restarted'), reason: z.string() }),
  /**
   * The engine stopped for good (its supervisor gave up after a crash loop): every request fails
   * until the server, app or page is restarted, as `reason` says. Sent at once, and to every page
   * that connects afterwards, so none waits for its next request to find out.
   */
  z.strictObject({ type: z.literal('engine.stopped'), reason: z.string() }),
]);
export type EngineEvent = z.infer<typeof EventSchema>;

/** Anything the engine sends: a reply or an event. */
export const EngineMessageSchema = z.union([ReplySchema, EventSchema]);
export type EngineMessage = z.infer<typeof EngineMessageSchema>;
