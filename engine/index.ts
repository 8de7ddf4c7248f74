/** The engine core's public surface (isomorphic: no Node, DOM or Electron). */
export { createEngine, type Engine, type EngineOptions, type EventSink, type GenerateRequest, type JobContext } from './engine.ts';
export { generate, checkLayout, checkSettings, type GenerateOutcome, type GenerateParams, type GenerateTuning } from './generate.ts';
export { CancelSource, NEVER_CANCELLED, raceCancel, type CancelToken } from './cancel.ts';
export type { Logger } from './logger.ts';
export type { HostTensor, ModelSession, ModelSource, Runtime, RuntimeFactory, SessionHints, ValueInfo } from './runtime.ts';
export type { BundleCatalog, BundleEntry, BundleProblem, Check } from './model/bundle.ts';
export { DEFAULT_DECODE_TILING, LoadedModel } from './model/loaded-model.ts';
export type { DecodeTiling } from './model/decode-tiles.ts';
export { TransformerRunner, type KvCache } from './model/transformer.ts';
export { runSampler, type SamplerJob, type SamplerStats, type ChunkDone } from './sampler/index.ts';
export { chwToRgba, resizeLabelMap } from './image.ts';
