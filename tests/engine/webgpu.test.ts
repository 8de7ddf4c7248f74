/**
 * The WebGPU path on Debian chromium's SwiftShader Vulkan ICD (a software adapter): `auto` must
 * reject it and use the CPU, explicit `webgpu` must still run (with a warning) and agree with the
 * CPU. Slow (SwiftShader compiles shaders for seconds), so it samples one window with the
 * transformer only (cached, then parallel), in a child process that gets the
 * ICD environment. Skipped, with the reason printed, when the ICD is not installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/fixture.ts';

const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const available = existsSync(ICD);
if (!available) console.warn(`skipping the WebGPU/SwiftShader test: ${ICD} is missing (apt-get install chromium provides it)`);

describe.skipIf(!available)('WebGPU on SwiftShader', () => {
  it('auto rejects the software adapter; explicit webgpu runs it with a warning and matches the CPU', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, VK_ICD_FILENAMES: ICD, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' };
    // Debian's chromium carries its own Vulkan loader; use it when the system has none.
    if (existsSync('/usr/lib/chromium/libvulkan.so.1')) env.LD_LIBRARY_PATH = ['/usr/lib/chromium', process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'tests/engine/support/webgpu-check.ts'], { cwd: REPO, env, encoding: 'utf8', timeout: 170_000 });
    const line = r.stdout.split('\n').find((l) => l.startsWith('WEBGPU_CHECK '));
    expect(line, `child failed (${r.status}): ${r.stderr.slice(-2000)}`).toBeDefined();
    const { probe, auto, webgpu } = JSON.parse((line as string).slice('WEBGPU_CHECK '.length));
    expect(probe).toMatchObject({ available: true, software: true });
    expect(probe.device).toMatch(/SwiftShader/);
    expect(auto.backend).toBe('cpu');
    expect(auto.note).toMatch(/SwiftShader.*software renderer.*CPU backend is used instead/);
    expect(webgpu.backend).toBe('webgpu');
    expect(webgpu.note).toMatch(/^Warning: .*SwiftShader.*software renderer/);
    expect(webgpu.tokens).toEqual(auto.tokens);
    webgpu.entropy.forEach((v: number, i: number) => expect(Math.abs(v - auto.entropy[i])).toBeLessThan(1e-4));
    webgpu.plainLogits.forEach((v: number, i: number) => expect(Math.abs(v - auto.plainLogits[i])).toBeLessThan(1e-3));
    // The parallel sampler's feeds (non-contiguous positions, a one-slot past for an empty window) run there too.
    expect(webgpu.parallelTokens).toEqual(auto.parallelTokens);
    expect(auto.parallelTokens.length).toBe(16);
    console.info(`WebGPU (SwiftShader) ${webgpu.ms.toFixed(0)} ms vs CPU ${auto.ms.toFixed(0)} ms for loading and sampling one 4×4 window`);
  }, 180_000);
});
