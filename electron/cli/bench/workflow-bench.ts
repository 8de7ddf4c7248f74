/**
 * Bench cases for the two workflows built on the sampler: batch throughput (images per minute at
 * 256×256 px, seeds sampled one by one and in groups, PNGs written to a temp folder) and the time
 * to inpaint a region of 25 % of a 256×256 image (encode, resample, decode, composite).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { GenerationSettings } from '../../../shared/protocol.ts';
import { DEFAULT_GROUP_SIZE, runBatchJob } from '../../../engine/batch/index.ts';
import type { Engine } from '../../../engine/engine.ts';
import { runInpaintJob } from '../../../engine/inpaint/index.ts';
import { nodeBatchFs } from '../../../engine/node/batch-fs.ts';
import { benchLayout } from './layouts.ts';
import { formatLoad, load1 } from './load.ts';
import type { WorkflowBench } from './report.ts';

export const WORKFLOW_SIDE_PX = 256;

export async function runWorkflowBench(engine: Engine, modelRef: string, classCount: number, settings: GenerationSettings, images: number, log: (line: string) => void): Promise<WorkflowBench> {
  const layout = benchLayout(WORKFLOW_SIDE_PX, WORKFLOW_SIDE_PX, classCount);
  const seeds = Array.from({ length: images }, (_, i) => 100 + i);
  const base = { ...settings, decodedPreviews: false };
  const batch: WorkflowBench['batch'] = [];
  for (const groupSize of [...new Set([1, DEFAULT_GROUP_SIZE])]) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-batch-'));
    try {
      const report = await runBatchJob(engine, { jobId: `bench-batch-${groupSize}`, model: modelRef, layouts: [{ name: 'bench', layout }], seeds, settings: base, outDir: dir, fs: nodeBatchFs, groupSize, contactSheet: false }, () => undefined);
      const row = { groupSize, images: report.made, seconds: report.workSeconds, imagesPerMinute: (report.made / report.workSeconds) * 60, load: load1() };
      batch.push(row);
      log(`  batch ${WORKFLOW_SIDE_PX}×${WORKFLOW_SIDE_PX} px, groups of ${groupSize}: ${row.images} images in ${row.seconds.toFixed(2)} s → ${row.imagesPerMinute.toFixed(1)} images/min  (${formatLoad(row.load)})`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const one = batch.find((b) => b.groupSize === 1);
  const grouped = batch.find((b) => b.groupSize > 1);
  const batchingSpeedup = one && grouped ? grouped.imagesPerMinute / one.imagesPerMinute : null;

  // Inpainting: a generated image, with the centre square of half the side (25 % of the area) regenerated.
  const generated = await engine.generate({ jobId: 'bench-inpaint-source', model: modelRef, layout, settings: base }, () => undefined);
  const mask = { width: WORKFLOW_SIDE_PX, height: WORKFLOW_SIDE_PX, data: new Uint8Array(WORKFLOW_SIDE_PX * WORKFLOW_SIDE_PX) };
  const q = WORKFLOW_SIDE_PX / 4;
  for (let y = q; y < 3 * q; y++) mask.data.fill(1, y * WORKFLOW_SIDE_PX + q, y * WORKFLOW_SIDE_PX + 3 * q);
  const started = performance.now();
  const outcome = await runInpaintJob(
    engine,
    { jobId: 'bench-inpaint', model: modelRef, image: generated.image, mask, layout, settings: { ...base, seed: 7 }, options: { dilation: 0, blend: 4, keepOutside: true } },
    () => undefined,
  );
  const seconds = (performance.now() - started) / 1000;
  const inpaint = { size: `${WORKFLOW_SIDE_PX}×${WORKFLOW_SIDE_PX}`, regionShare: outcome.regionTokens / outcome.totalTokens, regionTokens: outcome.regionTokens, seconds, load: load1() };
  log(`  inpaint ${inpaint.size} px, region ${(100 * inpaint.regionShare).toFixed(0)} % (${inpaint.regionTokens} tokens): ${seconds.toFixed(2)} s  (${formatLoad(inpaint.load)})`);
  return { batch, batchingSpeedup, inpaint };
}

export function formatWorkflowBench(w: WorkflowBench | null): string[] {
  if (!w) return [];
  const lines = ['', `| batch ${WORKFLOW_SIDE_PX}×${WORKFLOW_SIDE_PX} px | images | seconds | images/min | load |`, '|---|---|---|---|---|'];
  for (const b of w.batch) lines.push(`| groups of ${b.groupSize} | ${b.images} | ${b.seconds.toFixed(2)} | ${b.imagesPerMinute.toFixed(1)} | ${b.load.toFixed(2)} |`);
  if (w.inpaint) {
    lines.push('', `inpaint ${w.inpaint.size} px, region ${(100 * w.inpaint.regionShare).toFixed(0)} % (${w.inpaint.regionTokens} tokens): ${w.inpaint.seconds.toFixed(2)} s (${formatLoad(w.inpaint.load)}) · batching: ${w.batchingSpeedup === null ? 'n/a' : `${w.batchingSpeedup.toFixed(2)}×`}`);
  }
  return lines;
}
