/**
 * The engine: models, jobs and their events, independent of how requests arrive (the host's
 * protocol dispatcher, the CLI, serve mode, tests). Isomorphic: the caller supplies the bundle
 * catalog, the runtime factory, a clock and a logger.
 */
import { TesseraError, toErrorPayload } from '../shared/errors.ts';
import type { PixelSize } from '../shared/grid.ts';
import type { LabelMap } from '../shared/labelmap.ts';
import type { Backend, EngineEvent, GenerationResult, GenerationSettings, ModelInfo, VerifyReport } from '../shared/protocol.ts';
import { raceCancel, type CancelToken } from './cancel.ts';
import { generate, type GenerateOutcome, type GenerateParams, type GenerateTuning } from './generate.ts';
import { JobQueue } from './jobs/queue.ts';
import { SILENT_LOGGER, type Logger } from './logger.ts';
import { modelInfo, type BundleCatalog, type BundleEntry, type Check } from './model/bundle.ts';
import type { DecodeTiling } from './model/decode-tiles.ts';
import { checkClassCount, LoadedModel } from './model/loaded-model.ts';
import { checkGraphs } from './model/model-checks.ts';
import type { ModelSession, RuntimeFactory } from './runtime.ts';

export interface EngineOptions {
  catalog: BundleCatalog;
  runtimes: RuntimeFactory;
  /** Backend for models that a job loads implicitly (model.load names its own). */
  defaultBackend?: Backend;
  logger?: Logger;
  /** Milliseconds, monotonic (performance.now in hosts). */
  clock: () => number;
  maxCanvas?: PixelSize;
  /** Check bundle file sizes and hashes on load (default true). */
  verifyFiles?: boolean;
  tuning?: Partial<Omit<GenerateTuning, 'maxCanvas' | 'clock'>>;
  /** How large token grids are cut for decoding (loaded-model.ts DEFAULT_DECODE_TILING when absent). */
  decodeTiling?: DecodeTiling;
}

export interface GenerateRequest {
  jobId: string;
  model: string;
  layout: LabelMap;
  settings: GenerationSettings;
}

export type EventSink = (event: EngineEvent) => void;

/** What batch/inpaint jobs get to work with (see Engine.runJob). */
export interface JobContext {
  cancel: CancelToken;
  emit: EventSink;
  model(ref: string): Promise<LoadedModel>;
  /** `events` replaces the job's sink for this generation (outpainting shows one of its candidates). */
  generate(model: LoadedModel, params: Omit<GenerateParams, 'jobId'>, events?: EventSink): Promise<GenerateOutcome>;
}

export interface Engine {
  listModels(): Promise<ModelInfo[]>;
  loadModel(ref: string, backend?: Backend): Promise<ModelInfo>;
  verifyModel(ref: string): Promise<VerifyReport>;
  /** Queues a generation; events stream to `emit`, ending with job.finished or job.failed. */
  generate(request: GenerateRequest, emit: EventSink): Promise<GenerationResult>;
  /** Like generate, with the run's statistics (the bench and CLI use them). */
  generateWithStats(request: GenerateRequest & { seeds?: number[] }, emit: EventSink): Promise<GenerateOutcome>;
  /** Runs any job through the queue, with cancel and the job.finished/job.failed events (batch, inpaint). */
  runJob<T>(jobId: string, emit: EventSink, work: (ctx: JobContext) => Promise<T>): Promise<T>;
  cancel(jobId: string): boolean;
  /** The loaded model for an id or path (loading it on the default backend if needed). */
  model(ref: string, backend?: Backend): Promise<LoadedModel>;
  dispose(): Promise<void>;
}

export function createEngine(options: EngineOptions): Engine {
  const logger = options.logger ?? SILENT_LOGGER;
  const catalog = options.catalog;
  const queue = new JobQueue();
  const tuning: GenerateTuning = {
    maxCanvas: options.maxCanvas ?? { width: 2048, height: 2048 },
    reuseWindowCache: options.tuning?.reuseWindowCache ?? true,
    // Windows are dropped after their last chunk (sampler/window-caches.ts), so this only binds for
    // small strides on wide canvases or large batches: 40 windows of the default model's 6.3 MB.
    maxCacheBytes: options.tuning?.maxCacheBytes ?? 256 * 1024 * 1024,
    previewBudget: options.tuning?.previewBudget ?? 0.25,
    previewMargin: options.tuning?.previewMargin ?? 2,
    clock: options.clock,
  };
  /** Loaded models by bundle folder: one set of sessions per model, reused by every job. */
  const loaded = new Map<string, { backend: Backend; model: Promise<LoadedModel> }>();
  let disposed = false;

  const resolve = (ref: string): Promise<BundleEntry> => (ref === 'default' ? catalog.defaultModel() : catalog.resolve(ref));

  const modelFor = async (ref: string, backend?: Backend): Promise<LoadedModel> => {
    if (disposed) throw new TesseraError('INTERNAL', 'The engine has been disposed.');
    const entry = await resolve(ref);
    const current = loaded.get(entry.path);
    if (current && (backend === undefined || backend === current.backend)) return current.model;
    if (current) {
      loaded.delete(entry.path);
      await current.model.then((m) => m.release()).catch(() => undefined);
    }
    const wanted = backend ?? options.defaultBackend ?? 'auto';
    const model = (async () => {
      const runtime = await options.runtimes(wanted);
      return LoadedModel.open(entry, catalog, runtime, { verifyFiles: options.verifyFiles ?? true, logger, ...(options.decodeTiling ? { decodeTiling: options.decodeTiling } : {}) });
    })();
    loaded.set(entry.path, { backend: wanted, model });
    // A failed load is forgotten, so that fixing the files and retrying works.
    model.catch(() => {
      if (loaded.get(entry.path)?.model === model) loaded.delete(entry.path);
    });
    return model;
  };

  const runJob = <T>(jobId: string, emit: EventSink, work: (ctx: JobContext) => Promise<T>): Promise<T> => {
    const job = queue.submit(jobId, (cancel) =>
      work({
        cancel,
        emit,
        model: (ref) => raceCancel(modelFor(ref), cancel),
        generate: (model, params, events) => generate(model, { ...params, jobId }, events ?? emit, cancel, tuning),
      }),
    );
    job.then(
      () => emit({ type: 'job.finished', jobId }),
      (error: unknown) => emit({ type: 'job.failed', jobId, error: toErrorPayload(error) }),
    );
    return job;
  };

  const generateWithStats = (request: GenerateRequest & { seeds?: number[] }, emit: EventSink): Promise<GenerateOutcome> =>
    runJob(request.jobId, emit, async (ctx) => {
      // Loading can take seconds (hashing, session creation): cancellable too.
      const model = await raceCancel(modelFor(request.model), ctx.cancel);
      return ctx.generate(model, { layouts: [request.layout], seeds: request.seeds ?? [request.settings.seed], settings: request.settings });
    });

  return {
    async listModels(): Promise<ModelInfo[]> {
      const { bundles, problems } = await catalog.list();
      for (const p of problems) logger.warn(`skipped ${p.path}: ${p.message}`);
      return Promise.all(
        bundles.map(async (entry) => {
          const current = loaded.get(entry.path);
          const model = current ? await current.model.catch(() => null) : null;
          return model ? model.info() : modelInfo(entry);
        }),
      );
    },
    async loadModel(ref: string, backend?: Backend): Promise<ModelInfo> {
      return (await modelFor(ref, backend)).info();
    },
    verifyModel: (ref) => verify(ref),
    async generate(request: GenerateRequest, emit: EventSink): Promise<GenerationResult> {
      const outcome = await generateWithStats(request, emit);
      return outcome.results[0] as GenerationResult;
    },
    generateWithStats,
    runJob,
    cancel: (jobId) => queue.cancel(jobId),
    model: modelFor,
    async dispose(): Promise<void> {
      disposed = true;
      queue.cancelAll('The engine is shutting down.');
      const all = [...loaded.values()];
      loaded.clear();
      await Promise.allSettled(all.map(async (l) => (await l.model).release()));
    },
  };

  /** Every check, reported rather than thrown (only an unknown model throws). */
  async function verify(ref: string): Promise<VerifyReport> {
    const entry = await resolve(ref);
    const checks: Check[] = [{ name: 'manifest', ok: true, message: `${entry.manifest.id} ${entry.manifest.version}: valid` }];
    checks.push(...(await catalog.checkFiles(entry)));
    if (checks.every((c) => c.ok)) {
      const runtime = await options.runtimes(options.defaultBackend ?? 'auto');
      const sessions: ModelSession[] = [];
      try {
        const open = async (key: 'condEncoder' | 'imageDecoder' | 'transformer' | 'imageEncoder', label: string): Promise<ModelSession> => {
          const s = await runtime.createSession(label, catalog.source(entry, entry.manifest.files[key]));
          sessions.push(s);
          return s;
        };
        const graphs = {
          condEncoder: await open('condEncoder', 'cond encoder'),
          imageDecoder: await open('imageDecoder', 'image decoder'),
          transformer: await open('transformer', 'transformer'),
          imageEncoder: await open('imageEncoder', 'image encoder'),
        };
        checks.push({ name: 'sessions', ok: true, message: `all four graphs load on ${runtime.backend}` });
        checks.push(...checkGraphs(entry.manifest, graphs));
        checks.push(await checkClassCount(entry, catalog));
      } catch (error) {
        checks.push({ name: 'sessions', ok: false, message: toErrorPayload(error).message });
      } finally {
        await Promise.allSettled(sessions.map((s) => s.release()));
      }
    }
    return { id: entry.id, ok: checks.every((c) => c.ok), checks };
  }
}
