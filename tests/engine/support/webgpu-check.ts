/**
 * Run by webgpu.test.ts in a child process with the SwiftShader Vulkan ICD: the probe, `auto`
 * (must reject the software adapter), and explicit `webgpu` sampling one 4×4-token window with the
 * fixture's transformer (prefill + KV-cache steps, and one cache-less forward: the exact sampler's), compared with the CPU. Only the transformer
 * runs: on SwiftShader each graph's first run compiles its shaders for seconds (the cond encoder
 * ~9 s, the decoder ~8 s), and the transformer is the graph whose speed matters. The cond tokens
 * are the reference's (top-left window of the first reference layout). Prints one JSON line.
 */
import { Xoshiro128 } from '../../../shared/prng.ts';
import type { Backend } from '../../../shared/protocol.ts';
import { NEVER_CANCELLED } from '../../../engine/cancel.ts';
import { SILENT_LOGGER } from '../../../engine/logger.ts';
import { createNodeEngine } from '../../../engine/node/create-node-engine.ts';
import { probeWebGpu } from '../../../engine/node/webgpu-probe.ts';
import { runSampler } from '../../../engine/sampler/index.ts';
import { FIXTURE_DIR, referenceLayouts } from './fixture.ts';

const probe = await probeWebGpu();
const ref = referenceLayouts()[0]!;
const cond = [Int32Array.from(ref.condTokens.slice(0, 4).flatMap((row) => row.slice(0, 4)))];
const grid = { rows: 4, cols: 4 };

async function run(backend: Backend): Promise<{ backend: string | undefined; note: string | undefined; tokens: number[]; entropy: number[]; ms: number; plainLogits: number[]; parallelTokens: number[] }> {
  const engine = createNodeEngine({ backend, hashCacheFile: null, logger: SILENT_LOGGER });
  try {
    const t0 = performance.now();
    const info = await engine.loadModel(FIXTURE_DIR, backend);
    const model = await engine.model(FIXTURE_DIR);
    const tokens = [new Int32Array(grid.rows * grid.cols)];
    const entropy = [new Float32Array(16)];
    await runSampler(
      'cached',
      { grid, window: model.manifest.window, cond, tokens, entropy, region: null, rngs: [new Xoshiro128(3)], settings: { temperature: 0, topK: 0, topP: 1 }, imageVocab: 32, stride: 4, cancel: NEVER_CANCELLED, onChunk: () => undefined },
      model.transformer,
      { reuseWindowCache: true, maxCacheBytes: 1 << 30 },
    );
    const ms = performance.now() - t0;
    // The parallel sampler: non-contiguous positions, a placeholder, slots not yet valid (lead 2 on one window).
    const parallel = [new Int32Array(grid.rows * grid.cols)];
    await runSampler(
      'parallel',
      { grid, window: model.manifest.window, cond, tokens: parallel, entropy: [new Float32Array(16)], region: null, rngs: [new Xoshiro128(3)], settings: { temperature: 1, topK: 8, topP: 1 }, imageVocab: 32, stride: 4, cancel: NEVER_CANCELLED, onChunk: () => undefined },
      model.transformer,
      { reuseWindowCache: true, maxCacheBytes: 1 << 30, lead: 2 },
    );
    // The exact sampler's forward: no cache at all (WebGPU once died on its zero-capacity past).
    const plain = await model.transformer.forward(BigInt64Array.from(cond[0]!, (v) => BigInt(v)), 1, null, false, NEVER_CANCELLED);
    return { backend: info.backend, note: info.backendNote, tokens: Array.from(tokens[0]!), entropy: Array.from(entropy[0]!), ms, plainLogits: Array.from(plain.logits.subarray(-32)), parallelTokens: Array.from(parallel[0]!) };
  } finally {
    await engine.dispose();
  }
}

const auto = await run('auto');
const webgpu = await run('webgpu');
process.stdout.write(`WEBGPU_CHECK ${JSON.stringify({ probe, auto, webgpu })}\n`);
