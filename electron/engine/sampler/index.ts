/** Picks the sampler a job asked for. */
import type { TransformerRunner } from '../model/transformer.ts';
import { sampleCached, type CachedOptions } from './cached.ts';
import { sampleExact } from './exact.ts';
import type { SamplerJob, SamplerStats } from './types.ts';

export type { ChunkDone, SamplerJob, SamplerStats } from './types.ts';
export type { CachedOptions } from './cached.ts';

export function runSampler(kind: 'exact' | 'cached', job: SamplerJob, transformer: TransformerRunner, options: CachedOptions): Promise<SamplerStats> {
  return kind === 'exact' ? sampleExact(job, transformer) : sampleCached(job, transformer, options);
}
