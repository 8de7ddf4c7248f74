/**
 * Time to the first preview, cold: from the generate call to the first `job.windowCompleted`, on a
 * label map the engine has not seen before (a new layout variant each run), cancelled as soon as
 * the preview arrives so a run costs one preview, not one image. This is what a user waits for
 * after pressing Generate on a new layout, job queue included.
 */
import { performance } from 'node:perf_hooks';
import { TesseraError } from '../../../shared/errors.ts';
import type { GenerationSettings } from '../../../shared/protocol.ts';
import type { Engine } from '../../../engine/engine.ts';
import { benchLayout } from './layouts.ts';
import { formatLoad, load1 } from './load.ts';
import type { FirstPreview } from './report.ts';

export const FIRST_PREVIEW_GOAL_MS = 150;

export interface FirstPreviewRequest {
  modelRef: string;
  side: number;
  gridFactor: number;
  classCount: number;
  settings: GenerationSettings;
  runs: number;
}

export async function measureFirstPreview(engine: Engine, request: FirstPreviewRequest, log: (line: string) => void): Promise<FirstPreview> {
  const px = request.side * request.gridFactor;
  const runs: FirstPreview['runs'] = [];
  for (let r = 0; r < request.runs; r++) {
    const jobId = `bench-first-preview-${r}`;
    // Variants from 1: variant 0 is the layout the other rows use.
    const layout = benchLayout(px, px, request.classCount, r + 1);
    // Set inside the event callback (a holder, so the type checker does not narrow it to null).
    const seen: { ms: number | null } = { ms: null };
    const started = performance.now();
    try {
      await engine.generate({ jobId, model: request.modelRef, layout, settings: request.settings }, (event) => {
        if (event.type !== 'job.windowCompleted' || seen.ms !== null) return;
        seen.ms = performance.now() - started;
        engine.cancel(jobId);
      });
    } catch (error) {
      if (!(error instanceof TesseraError && error.code === 'CANCELLED')) throw error;
    }
    if (seen.ms === null) throw new TesseraError('INTERNAL', `no preview came from the ${request.side}×${request.side}-token job`);
    const run = { ms: seen.ms, load: load1() };
    runs.push(run);
    log(`  first preview ${request.side}×${request.side} tokens (cold, run ${r + 1}): ${run.ms.toFixed(0)} ms  (${formatLoad(run.load)})`);
  }
  const sorted = runs.map((r) => r.ms).sort((a, b) => a - b);
  return { grid: `${request.side}×${request.side}`, runs, medianMs: median(sorted), minMs: sorted[0] ?? NaN, goalMs: FIRST_PREVIEW_GOAL_MS };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
