/**
 * Finds out, without risking the engine, whether onnxruntime-node's WebGPU execution provider has
 * a *hardware* adapter.
 *
 * onnxruntime-node does not expose the Dawn adapter it picks (no `env.webgpu.adapter` in Node, and
 * its verbose log prints only pointers). So the probe runs a tiny graph on the WebGPU EP in a
 * child process, with a timeout so a hanging driver cannot hang the engine, and reads two
 * independent witnesses from the child's stderr:
 *
 *  1. The Vulkan loader (Dawn's backend on Linux), asked with `VK_LOADER_DEBUG=driver`, prints the
 *     device Dawn actually created: `Using "SwiftShader Device (Subzero)" with driver: "…"`.
 *     A software name or driver (SwiftShader, llvmpipe/lavapipe, the mock ICD, WARP) is rejected.
 *  2. onnxruntime's own hardware discovery (verbose log) lists `OrtHardwareDevice {… type:N}`
 *     where type 1 is a GPU; on Windows (D3D12) and macOS (Metal) this is the witness.
 *
 * No witness → "unknown", which `auto` treats as software: it only picks WebGPU when a hardware
 * adapter is positively identified.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { isSoftwareAdapterName } from '../../shared/software-adapter.ts';

export interface AdapterReport {
  /** A WebGPU session ran the probe graph and returned the right numbers. */
  available: boolean;
  /** true: software renderer; false: hardware; null: could not tell. */
  software: boolean | null;
  device: string | undefined;
  driver: string | undefined;
  /** How `software` was decided, for the user. */
  evidence: string;
  error: string | undefined;
  /** Latency of one run of the probe graph after warm-up (ms): informative only. */
  runMs: number | undefined;
  probeMs: number;
}

/** y = x·x on float[4], opset 13: the smallest graph the WebGPU EP runs on the GPU. */
const PROBE_MODEL_BASE64 = 'CAgSDXRlc3NlcmEtcHJvYmU6OQoOCgF4CgF4EgF5IgNNdWwSBXByb2JlWg8KAXgSCgoICAESBAoCCARiDwoBeRIKCggIARIECgIIBEIECgAQDQ==';

export { isSoftwareAdapterName };

// Plain CommonJS so that it runs under `node -e` and under Electron with ELECTRON_RUN_AS_NODE.
const CHILD_SOURCE = `
const ort = require(process.env.TESSERA_PROBE_ORT);
ort.env.logLevel = 'verbose';
const say = (o) => process.stdout.write('\\nTESSERA_PROBE ' + JSON.stringify(o) + '\\n', () => process.exit(0));
(async () => {
  const session = await ort.InferenceSession.create(Buffer.from(process.env.TESSERA_PROBE_MODEL, 'base64'), { executionProviders: ['webgpu'] });
  const x = new ort.Tensor('float32', new Float32Array([1, 2, 3, 4]), [4]);
  let y = await session.run({ x });
  const t = Date.now();
  for (let i = 0; i < 3; i++) y = await session.run({ x });
  say({ ok: Array.from(y.y.data).join(',') === '1,4,9,16', runMs: (Date.now() - t) / 3 });
})().catch((e) => say({ ok: false, error: String((e && e.message) || e) }));
`;

interface ChildResult {
  ok: boolean;
  runMs?: number;
  error?: string;
}

/** Parses the child's output into a report (exported for tests of the parsing rules). */
export function classifyProbeOutput(stdout: string, stderr: string): Omit<AdapterReport, 'probeMs'> {
  const marker = /TESSERA_PROBE (\{.*\})/.exec(stdout);
  let child: ChildResult = { ok: false, error: 'the probe process printed no result' };
  if (marker) {
    try {
      child = JSON.parse(marker[1] as string) as ChildResult;
    } catch {
      child = { ok: false, error: 'the probe result could not be parsed' };
    }
  }
  const using = /Using "([^"]+)" with driver: "([^"]+)"/.exec(stderr);
  const gpus = [...stderr.matchAll(/OrtHardwareDevice \{vendor_id:(0x[0-9a-f]+), device_id:(0x[0-9a-f]+), vendor:([^,]*), type:(\d)/gi)].filter((m) => m[4] === '1');
  let software: boolean | null = null;
  let evidence = 'no witness of the adapter kind (no Vulkan loader report, no GPU in onnxruntime hardware discovery)';
  let device: string | undefined;
  let driver: string | undefined;
  if (using) {
    device = using[1];
    driver = using[2];
    software = isSoftwareAdapterName(`${device} ${driver}`);
    evidence = `the Vulkan loader reports Dawn's device "${device}" (driver ${driver})`;
  } else if (gpus.length > 0) {
    const g = gpus[0] as RegExpMatchArray;
    device = `${g[3]} GPU ${g[1]}:${g[2]}`;
    software = false;
    evidence = `onnxruntime's hardware discovery found a GPU (${device})`;
  }
  return { available: child.ok, software, device, driver, evidence, error: child.ok ? undefined : child.error, runMs: child.runMs };
}

/** Vulkan driver manifests the loader would consider (Linux); empty means WebGPU cannot work. */
export function vulkanDriverManifests(env: NodeJS.ProcessEnv = process.env): string[] {
  const explicit = [env.VK_DRIVER_FILES, env.VK_ICD_FILENAMES].find((v) => v !== undefined && v !== '');
  const added = (env.VK_ADD_DRIVER_FILES ?? '').split(path.delimiter).filter((f) => f !== '');
  if (explicit !== undefined) return [...explicit.split(path.delimiter).filter((f) => f !== ''), ...added].filter((f) => existsSync(f));
  const home = env.HOME ?? os.homedir();
  const dataDirs = (env.XDG_DATA_DIRS ?? '/usr/local/share:/usr/share').split(':');
  const dirs = [
    path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'vulkan/icd.d'),
    '/etc/xdg/vulkan/icd.d',
    '/etc/vulkan/icd.d',
    path.join(env.XDG_DATA_HOME ?? path.join(home, '.local/share'), 'vulkan/icd.d'),
    ...dataDirs.map((d) => path.join(d, 'vulkan/icd.d')),
  ];
  const found: string[] = [];
  for (const dir of dirs) {
    try {
      for (const f of readdirSync(dir)) if (f.endsWith('.json')) found.push(path.join(dir, f));
    } catch {
      // a missing folder is the common case
    }
  }
  return [...found, ...added.filter((f) => existsSync(f))];
}

export interface ProbeOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs the probe in a child process. Never rejects; a failure is a report with `available: false`. */
export async function probeWebGpu(options: ProbeOptions = {}): Promise<AdapterReport> {
  const started = Date.now();
  const env = options.env ?? process.env;
  if (process.platform === 'linux' && vulkanDriversMissing(env)) {
    return {
      available: false,
      software: null,
      device: undefined,
      driver: undefined,
      evidence: 'no Vulkan driver manifests (icd.d) are installed',
      error: 'WebGPU needs a Vulkan driver on Linux, and none is installed',
      runMs: undefined,
      probeMs: Date.now() - started,
    };
  }
  const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  const timeoutMs = options.timeoutMs ?? 20_000;
  const { stdout, stderr, timedOut, spawnError } = await runChild(ortPath, env, timeoutMs);
  const report = classifyProbeOutput(stdout, stderr);
  if (timedOut) report.error = `the WebGPU probe did not finish within ${timeoutMs} ms (a hanging GPU driver?)`;
  else if (spawnError) report.error = `the WebGPU probe could not start: ${spawnError}`;
  if (timedOut || spawnError) report.available = false;
  return { ...report, probeMs: Date.now() - started };
}

function vulkanDriversMissing(env: NodeJS.ProcessEnv): boolean {
  return vulkanDriverManifests(env).length === 0;
}

function runChild(ortPath: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ stdout: string; stderr: string; timedOut: boolean; spawnError: string | undefined }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const child = spawn(process.execPath, ['-e', CHILD_SOURCE], {
      env: {
        ...env,
        ELECTRON_RUN_AS_NODE: '1',
        VK_LOADER_DEBUG: 'driver',
        TESSERA_PROBE_ORT: ortPath,
        TESSERA_PROBE_MODEL: PROBE_MODEL_BASE64,
        XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR ?? os.tmpdir(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    // Keep only what the classifier needs: the verbose log can be long.
    child.stdout.on('data', (d: Buffer) => {
      stdout = (stdout + d.toString()).slice(-65536);
    });
    let partial = '';
    const keep = (line: string): void => {
      if (/Using "|OrtHardwareDevice|Failed to get a WebGPU adapter/.test(line)) stderr += `${line}\n`;
    };
    child.stderr.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      lines.forEach(keep);
    });
    child.stderr.on('end', () => keep(partial));
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, timedOut, spawnError: error.message });
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ stdout, stderr, timedOut, spawnError: undefined });
    });
  });
}
