/**
 * `npm run bench:web -- [--model ID|PATH] [--size 256] [--threads 1,2] [--pairs 3]`: the page
 * engine's runtime (onnxruntime-web WASM) against onnxruntime-node's CPU provider, on the same
 * generation with the same thread count. WASM runs here in Node through onnxruntime-web (the same
 * .wasm the static build ships), so the figure is the runtime's cost without a browser around it;
 * in a page that is not cross-origin isolated the Worker gets 1 thread (web/runtime/choose-backend.ts).
 *
 * The two alternate run by run (WASM, node, WASM, node, …) so load drift hits both alike, each
 * figure is printed with the 1-minute load average taken right after it, and a run that did not
 * start idle says so. Each engine loads its model and generates once before timing (session
 * creation and first-run allocations are not the steady state). Results: bench/results/*-web-wasm.json.
 */
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ActiveBackend, GenerationSettings } from '../shared/protocol.ts';
import type { Engine } from '../engine/engine.ts';
import { SILENT_LOGGER } from '../engine/logger.ts';
import { REPO_ROOT } from '../engine/node/bundle-catalog.ts';
import { createNodeEngine } from '../engine/node/create-node-engine.ts';
import { median } from '../electron/cli/bench/first-preview.ts';
import { benchLayout } from '../electron/cli/bench/layouts.ts';
import { checkIdle, formatLoad, load1, loadAverages } from '../electron/cli/bench/load.ts';
import { writeFileAtomic } from '../electron/cli/support/files.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] !== undefined ? (args[at + 1] as string) : fallback;
};
const modelRef = arg('--model', path.join(REPO_ROOT, 'assets', 'models', 'tessera-landscapes-v1'));
const size = Number(arg('--size', '256'));
const threadCounts = arg('--threads', '1,2').split(',').map(Number);
const pairs = Number(arg('--pairs', '3'));

interface Figure {
  backend: ActiveBackend;
  threads: number;
  seconds: number;
  load: number;
}

const idle = checkIdle(loadAverages(), 0.5);
if (idle.warning) console.log(`NOTE: ${idle.warning}`);

async function generateOnce(engine: Engine, settings: GenerationSettings, jobId: string): Promise<number> {
  const info = await engine.loadModel(modelRef);
  const layout = benchLayout(size, size, info.classes.length);
  const started = performance.now();
  await engine.generate({ jobId, model: modelRef, layout, settings }, () => undefined);
  return (performance.now() - started) / 1000;
}

const figures: Figure[] = [];
for (const threads of threadCounts) {
  const engines = {
    wasm: createNodeEngine({ backend: 'wasm', threads, hashCacheFile: null, logger: SILENT_LOGGER }),
    cpu: createNodeEngine({ backend: 'cpu', threads, hashCacheFile: null, logger: SILENT_LOGGER }),
  } as const;
  try {
    const info = await engines.cpu.loadModel(modelRef, 'cpu');
    await engines.wasm.loadModel(modelRef, 'wasm');
    const d = info.defaults;
    // The model's own defaults (what the studio sends), decoded previews off: sampling and the final decode only.
    const settings: GenerationSettings = {
      seed: 7,
      temperature: d?.temperature ?? 1,
      topK: d?.topK ?? 0,
      topP: d?.topP ?? 1,
      sampler: d?.sampler ?? 'cached',
      stride: d?.stride ?? 1,
      ...(d?.lead ? { lead: d.lead } : {}),
      decodedPreviews: false,
    };
    console.log(`${info.id} ${size}×${size}, ${settings.sampler} sampler, ${threads} thread${threads === 1 ? '' : 's'}: warming up both…`);
    await generateOnce(engines.wasm, settings, `warm-wasm-${threads}`);
    await generateOnce(engines.cpu, settings, `warm-cpu-${threads}`);
    for (let i = 0; i < pairs; i++) {
      for (const backend of ['wasm', 'cpu'] as const) {
        const seconds = await generateOnce(engines[backend], settings, `${backend}-${threads}-${i}`);
        const f: Figure = { backend, threads, seconds, load: load1() };
        figures.push(f);
        console.log(`  ${backend === 'wasm' ? 'onnxruntime-web WASM' : 'onnxruntime-node CPU'} ${threads}t  ${seconds.toFixed(2).padStart(7)} s  (${formatLoad(f.load)})`);
      }
    }
  } finally {
    await engines.wasm.dispose();
    await engines.cpu.dispose();
  }
}

const summary = threadCounts.map((threads) => {
  const of = (backend: ActiveBackend): number => median(figures.filter((f) => f.backend === backend && f.threads === threads).map((f) => f.seconds));
  const wasm = of('wasm');
  const cpu = of('cpu');
  return { threads, wasmSeconds: wasm, nodeCpuSeconds: cpu, wasmOverNode: wasm / cpu };
});
for (const s of summary) console.log(`${s.threads} thread${s.threads === 1 ? '' : 's'}: WASM ${s.wasmSeconds.toFixed(2)} s, onnxruntime-node ${s.nodeCpuSeconds.toFixed(2)} s (median of ${pairs}); WASM/node = ${s.wasmOverNode.toFixed(2)}×`);
const report = { when: new Date().toISOString(), host: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '' }, idle: idle.idle, loadAtStart: idle.loadAtStart, loadAtEnd: loadAverages(), model: modelRef, size, pairs, figures, summary };
const file = path.join(REPO_ROOT, 'bench', 'results', `${report.when.slice(0, 19).replace(/[:T]/g, '-')}-web-wasm.json`);
await writeFileAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(`${idle.idle ? 'idle' : 'NOT idle'} run (load at start ${idle.loadAtStart.join(' / ')}, at end ${report.loadAtEnd.join(' / ')}); wrote ${path.relative(REPO_ROOT, file)}`);
