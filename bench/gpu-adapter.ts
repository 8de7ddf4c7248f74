/**
 * Prints what the engine's WebGPU probe sees (engine/node/webgpu-probe.ts) and what
 * `--backend auto` would choose, as one JSON object on stdout; bench/gpu-check.sh keeps it in its
 * report. Exit code 0 whatever it finds: a machine without an adapter is an answer, not an error.
 */
import { decideBackend } from '../engine/node/backends.ts';
import { vulkanDriverManifests, probeWebGpu } from '../engine/node/webgpu-probe.ts';

const probe = await probeWebGpu({ timeoutMs: 60_000 });
let auto: { backend: string; note: string | null };
try {
  const decision = await decideBackend('auto', () => Promise.resolve(probe));
  auto = { backend: decision.backend, note: decision.note ?? null };
} catch (error) {
  auto = { backend: 'none', note: error instanceof Error ? error.message : String(error) };
}
const manifests = process.platform === 'linux' ? vulkanDriverManifests() : [];
process.stdout.write(`${JSON.stringify({ probe, auto, vulkanDriverManifests: manifests })}\n`);
