/** The tables `npm run bench` prints at the end (and that docs/PERFORMANCE.md quotes), load beside every figure. */
import { FIRST_PREVIEW_GOAL_MS } from './first-preview.ts';
import type { BenchReport } from './report.ts';
import { formatWorkflowBench } from './workflow-bench.ts';

const fmt = (v: number | null | undefined, unit: string, digits = 1): string => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(digits)}${unit}`);

export function formatBenchTable(report: BenchReport): string {
  const t = report.threads;
  const lines = [
    `model ${report.model.id} ${report.model.version} · backend ${report.backend} · ${report.machine.cpus} cores (${report.machine.cpuModel}) · ${report.date.slice(0, 16).replace('T', ' ')} UTC`,
    `threads: ${report.backend === 'cpu' || report.backend === 'wasm' ? `engine ${t.engineIntraOp} (onnxruntime intra-op; inter-op 1)` : `engine on ${report.backend} (the thread count applies to CPU kernels only)`}; reference torch.set_num_threads(${t.reference}), ${Object.entries(t.referenceEnv).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    `load average at start ${report.load.atStart.join(' ')}, at end ${report.load.atEnd.join(' ')}: ${report.load.idle ? 'idle run' : 'NOT an idle run (figures taken beside other work)'}`,
    '',
    '| run | grid | batch | tokens/s | sampling s | total s | positions | decoded previews | first preview | load |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...report.rows.map(
      (r) =>
        `| ${r.name} | ${r.grid} | ${r.batch} | ${r.tokensPerSecond.toFixed(1)} | ${r.samplingSeconds.toFixed(2)} | ${r.totalSeconds.toFixed(2)} | ${r.positions} | ${r.previewDecodes} | ${r.firstPreviewMs === null ? '–' : `${r.firstPreviewMs.toFixed(0)} ms`} | ${r.load.toFixed(2)} |`,
    ),
  ];
  const c = report.comparison;
  if (c) {
    lines.push('', `Interleaved with the Python reference (PyTorch eager), cached s${c.stride}${c.lead === undefined ? '' : ` (engine-parallel: parallel L${c.lead})`}, ${c.grid} tokens, seed ${c.seed}; seconds = cond encoding + sampling on both sides:`, '', '| round | who | seconds | tokens/s | same tokens as the reference | load |', '|---|---|---|---|---|---|');
    for (const r of c.runs) lines.push(`| ${r.round} | ${r.who} | ${r.seconds.toFixed(2)} | ${r.tokensPerSecond.toFixed(1)} | ${r.tokensAgree === null ? '–' : r.tokensAgree ? 'yes' : 'NO'} | ${r.load.toFixed(2)} |`);
    for (const e of c.errors) lines.push(`reference error: ${e}`);
  }
  const fp = report.firstPreview;
  if (fp) lines.push('', `first preview at ${fp.grid} tokens (cold): ${fp.runs.map((r) => `${r.ms.toFixed(0)} ms (load ${r.load.toFixed(2)})`).join(', ')}; median ${fp.medianMs.toFixed(0)} ms (goal ≤ ${fp.goalMs} ms)`);
  const s = report.summary;
  const ratio = (r: BenchReport['summary']['fastestOverReferenceCached']): string =>
    r ? `${r.ratio.toFixed(1)}× (${r.engine}; median of the rounds' ratios ${r.perRound.map((v) => v.toFixed(1)).join(', ')}; median seconds ${r.engineSeconds.toFixed(2)} vs ${r.referenceSeconds.toFixed(2)})` : 'n/a';
  lines.push(
    '',
    'Summary:',
    `- engine's fastest sampler ÷ PyTorch eager's cached sampler, ${c?.grid ?? '–'} tokens: ${ratio(s.fastestOverReferenceCached)}`,
    `- engine cached ÷ PyTorch cached, same settings: ${ratio(s.cachedOverReferenceCached)}; tokens ${s.cachedTokensAgree === null ? 'not compared' : s.cachedTokensAgree ? 'identical in every round' : 'DIFFER'}`,
    `- the same forwards as the reference (no window reuse): ${ratio(s.noReuseOverReferenceCached)}`,
    `- engine parallel ÷ PyTorch cached (same layout and seed; its own tokens): ${ratio(s.parallelOverReferenceCached ?? null)}`,
    `- cached ÷ exact (tokens/s): ${fmt(s.cachedOverExact, '×')}`,
    `- first preview at ${fp?.grid ?? '–'} tokens, cold, median: ${fmt(s.firstPreviewMs, ' ms', 0)} (goal ≤ ${FIRST_PREVIEW_GOAL_MS} ms)`,
    `- peak RSS: engine ${s.peakRssMb.engine.toFixed(0)} MB (the bench process), reference ${fmt(s.peakRssMb.reference, ' MB', 0)}`,
    `- batching: ${fmt(s.batchSpeedup, '×')}`,
  );
  if (report.load.warning) lines.push('', `WARNING: ${report.load.warning}`);
  lines.push(...formatWorkflowBench(report.workflows));
  return lines.join('\n');
}
