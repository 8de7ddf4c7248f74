/**
 * The benchmark's result file (bench/results/*.json), as a zod schema: the bench validates what it
 * writes, and bench/gpu-check.sh's summary (and anything else) parses it back with the same rules.
 * Every figure carries the 1-minute load average it was taken at.
 */
import { z } from 'zod';
import { SAMPLERS } from '../../../shared/protocol.ts';

export const BENCH_REPORT_FORMAT = 'tessera-bench/2';

const Load3 = z.tuple([z.number(), z.number(), z.number()]);

export const BenchRowSchema = z.object({
  name: z.string(),
  grid: z.string(),
  sampler: z.enum(SAMPLERS),
  stride: z.number().int().positive(),
  /** The parallel sampler's lead (parallel rows only). */
  lead: z.number().int().positive().optional(),
  /** The window-cache reuse of the cached sampler (off = every chunk prefills, like the reference). */
  reuseWindowCache: z.boolean(),
  batch: z.number().int().positive(),
  tokens: z.number().int().positive(),
  /** Job start to last token: cond encoding, sampling and (when on) throttled preview decodes. */
  samplingSeconds: z.number(),
  /** Including the final full decode. */
  totalSeconds: z.number(),
  tokensPerSecond: z.number(),
  previewDecodes: z.number().int(),
  firstPreviewMs: z.number().nullable(),
  forwards: z.number().int(),
  positions: z.number().int(),
  load: z.number(),
});
export type BenchRow = z.infer<typeof BenchRowSchema>;

/** One run of the interleaved engine/reference comparison (A, B, A, B, …). */
export const InterleavedRunSchema = z.object({
  round: z.number().int().positive(),
  /** engine-parallel: the engine's parallel sampler on the same layout and seed (other tokens by design: never compared). */
  who: z.enum(['reference', 'engine', 'engine-no-reuse', 'engine-parallel']),
  /** Cond encoding + sampling, on both sides. */
  seconds: z.number(),
  tokensPerSecond: z.number(),
  /** Same tokens as the reference's run of this round (null for the reference itself). */
  tokensAgree: z.boolean().nullable(),
  load: z.number(),
});
export type InterleavedRun = z.infer<typeof InterleavedRunSchema>;

export const ComparisonSchema = z.object({
  grid: z.string(),
  sampler: z.literal('cached'),
  stride: z.number().int().positive(),
  /** The lead of the engine-parallel runs (absent in reports from before the parallel sampler). */
  lead: z.number().int().positive().optional(),
  seed: z.number().int(),
  runs: z.array(InterleavedRunSchema),
  referenceThreads: z.number().int().positive(),
  referencePeakRssMb: z.number().nullable(),
  /** Medians over the rounds (seconds). */
  median: z.object({ reference: z.number(), engine: z.number(), engineNoReuse: z.number().nullable(), engineParallel: z.number().nullable().optional() }),
  errors: z.array(z.string()),
});
export type Comparison = z.infer<typeof ComparisonSchema>;

export const FirstPreviewSchema = z.object({
  grid: z.string(),
  /** Cold runs: a label map the engine has not seen before each time; cancelled after the preview. */
  runs: z.array(z.object({ ms: z.number(), load: z.number() })),
  medianMs: z.number(),
  minMs: z.number(),
  goalMs: z.number(),
});
export type FirstPreview = z.infer<typeof FirstPreviewSchema>;

export const WorkflowBenchSchema = z.object({
  batch: z.array(z.object({ groupSize: z.number().int(), images: z.number().int(), seconds: z.number(), imagesPerMinute: z.number(), load: z.number() })),
  batchingSpeedup: z.number().nullable(),
  inpaint: z.object({ size: z.string(), regionShare: z.number(), regionTokens: z.number().int(), seconds: z.number(), load: z.number() }).nullable(),
});
export type WorkflowBench = z.infer<typeof WorkflowBenchSchema>;

/**
 * Reference seconds ÷ engine seconds: the median of the per-round ratios (each round's two runs are
 * minutes apart at most, so the load they saw is alike), with the per-round values and the medians
 * of the seconds beside it.
 */
const Ratio = z.object({ ratio: z.number(), perRound: z.array(z.number()), engine: z.string(), engineSeconds: z.number(), referenceSeconds: z.number() }).nullable();

export const BenchReportSchema = z.object({
  format: z.literal(BENCH_REPORT_FORMAT),
  date: z.string(),
  profile: z.enum(['full', 'quick']),
  model: z.object({ id: z.string(), version: z.string(), path: z.string() }),
  backend: z.string(),
  backendNote: z.string().nullable(),
  machine: z.object({ cpus: z.number().int(), cpuModel: z.string(), node: z.string(), platform: z.string() }),
  threads: z.object({
    /** onnxruntime intra-op threads of every engine session (inter-op: 1). */
    engineIntraOp: z.number().int().positive(),
    /** torch.set_num_threads in the reference process, plus the pool variables it was started with. */
    reference: z.number().int().positive(),
    referenceEnv: z.record(z.string(), z.string()),
  }),
  load: z.object({ atStart: Load3, atEnd: Load3, idle: z.boolean(), warning: z.string().nullable() }),
  rows: z.array(BenchRowSchema),
  comparison: ComparisonSchema.nullable(),
  firstPreview: FirstPreviewSchema.nullable(),
  workflows: WorkflowBenchSchema.nullable(),
  summary: z.object({
    /** The engine's fastest sampler at the comparison grid ÷ PyTorch eager's cached sampler. */
    fastestOverReferenceCached: Ratio,
    /** The engine's `cached` (same settings, window reuse on) ÷ PyTorch cached, and whether every run drew the reference's tokens. */
    cachedOverReferenceCached: Ratio,
    cachedTokensAgree: z.boolean().nullable(),
    /** The same forwards as the reference (every chunk prefills): the runtime's share of the speed-up. */
    noReuseOverReferenceCached: Ratio,
    /** The engine's `parallel` (several rows per forward; its own tokens) ÷ PyTorch cached, same layout and seed. */
    parallelOverReferenceCached: Ratio.optional(),
    cachedOverExact: z.number().nullable(),
    firstPreviewMs: z.number().nullable(),
    peakRssMb: z.object({ engine: z.number(), reference: z.number().nullable() }),
    batchSpeedup: z.number().nullable(),
  }),
});
export type BenchReport = z.infer<typeof BenchReportSchema>;
