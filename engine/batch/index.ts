/** Batch generation: the public surface (see run-batch.ts, and engine/README.md "Batch generation"). */
export { runBatchJob, runBatch, groupItems, DEFAULT_GROUP_SIZE, type BatchJobOptions, type BatchRunReport } from './run-batch.ts';
export { parseSeeds, parseShard, planBatch, inShard, itemFileName, shardLabel, type NamedLayout, type PlannedItem, type Shard } from './plan.ts';
export { joinPath, tempName, type BatchFs } from './batch-fs.ts';
export { manifestFileName, modelIdentity, parseBatchManifest, type BatchManifest } from './batch-manifest.ts';
export { CONTACT_FILE } from './contact-sheet.ts';
export { checkItemPng, encodeItemPng, expectedText, readEmbeddedLayout, BATCH_KEY, LAYOUT_KEY, PARAMETERS_KEY, type ModelIdentity } from './result-png.ts';
export { BatchProgress } from './batch-progress.ts';
export { BatchSession, type BatchModel, type BatchSessionOptions } from './batch-session.ts';
