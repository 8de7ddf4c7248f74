/** Picks the sampler a job asked for. */
import { DEFAULT_LEAD } from '../../shared/parallel-schedule.ts';
import type { TransformerRunner } from '../model/transformer.ts';
import { sampleCached, type CachedOptions } from './cached.ts';
import { sampleExact } from './exact.ts';
import { sampleParallel, type ParallelOptions } from './parallel.ts';
import type { SamplerJob, SamplerStats } from './types.ts';

export type { ChunkDone, SamplerJob, SamplerStats } from './types.ts';
export type { CachedOptions } from './cached.ts';
export type { ParallelOptions } from './parallel.ts';

export type SamplerKind = 'exact' | 'cached' | 'parallel';

export function runSampler(kind: SamplerKind, job: SamplerJob, transformer: TransformerRunner, options: CachedOptions & Partial<ParallelOptions>): Promise<SamplerStats> {
  if (kind === 'exact') return sampleExact(job, transformer);
  if (kind === 'parallel') return sampleParallel(job, transformer, { lead: options.lead ?? DEFAULT_LEAD, order: options.order ?? 'bands' });
  return sampleCached(job, transformer, options);
}
