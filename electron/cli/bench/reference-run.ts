/**
 * One run of the Python reference sampler (training/reference_sampler.py: PyTorch eager on the
 * bundle's torch-weights.pt) in a child process, with the same thread count as the engine: torch's
 * intra-op pool and every BLAS/OpenMP pool it might use are pinned to `threads`. Its timings and
 * tokens come back in the --tokens-out JSON, checked with zod.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { GenerationSettings } from '../../../shared/protocol.ts';
import { REPO_ROOT } from '../../../engine/node/bundle-catalog.ts';

export const ReferenceOutputSchema = z.object({
  seeds: z.array(z.number().int()),
  tokens: z.array(z.array(z.array(z.number().int()))),
  sampler: z.enum(['exact', 'cached']),
  stride: z.number().int().positive(),
  /** Sampling only, and the cond encoding before it. */
  seconds: z.number().nonnegative(),
  encodeSeconds: z.number().nonnegative(),
  threads: z.number().int().positive(),
  peakRssMb: z.number().nonnegative(),
});
export type ReferenceOutput = z.infer<typeof ReferenceOutputSchema>;

/** The environment that pins a PyTorch process's thread pools (and says so in the report). */
export function threadEnv(threads: number): Record<string, string> {
  const n = String(threads);
  return { OPENBLAS_NUM_THREADS: n, OMP_NUM_THREADS: n, MKL_NUM_THREADS: n };
}

export interface ReferenceRequest {
  python: string;
  bundle: string;
  layoutFile: string;
  settings: GenerationSettings;
  threads: number;
  /** Scratch folder for the tokens file. */
  tmp: string;
}

export type ReferenceResult = { ok: true; output: ReferenceOutput; tokens: number[] } | { ok: false; error: string };

export function runReference(request: ReferenceRequest): ReferenceResult {
  const s = request.settings;
  const tokensFile = path.join(request.tmp, `reference-${s.sampler}-${s.stride}-${s.seed}.json`);
  rmSync(tokensFile, { force: true });
  const args = [
    '-m', 'training.reference_sampler',
    '--bundle', request.bundle,
    '--layout', request.layoutFile,
    '--seed', String(s.seed),
    '--temperature', String(s.temperature),
    '--top-k', String(s.topK),
    '--top-p', String(s.topP),
    '--sampler', s.sampler,
    '--stride', String(s.stride),
    '--threads', String(request.threads),
    '--tokens-out', tokensFile,
  ];
  const proc = spawnSync(request.python, args, { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, ...threadEnv(request.threads) } });
  if (proc.error) return { ok: false, error: `${request.python} could not start: ${proc.error.message}` };
  if (proc.status !== 0) return { ok: false, error: `exit ${proc.status}: ${(proc.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(tokensFile, 'utf8'));
  } catch (error) {
    return { ok: false, error: `no readable tokens file: ${error instanceof Error ? error.message : String(error)}` };
  }
  const parsed = ReferenceOutputSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: `unexpected tokens file: ${parsed.error.message}` };
  return { ok: true, output: parsed.data, tokens: parsed.data.tokens[0]?.flat() ?? [] };
}
