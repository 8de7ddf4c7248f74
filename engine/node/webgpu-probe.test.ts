import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideBackend } from './backends.ts';
import { classifyProbeOutput, vulkanDriverManifests, type AdapterReport } from './webgpu-probe.ts';

const ok = '\nTESSERA_PROBE {"ok":true,"runMs":0.4}\n';

describe('WebGPU adapter classification', () => {
  it('reads the device Dawn created from the Vulkan loader log', () => {
    const swift = classifyProbeOutput(ok, '[Vulkan Loader] DRIVER:   Using "SwiftShader Device (Subzero)" with driver: "/usr/lib/chromium/libvk_swiftshader.so"\n');
    expect(swift).toMatchObject({ available: true, software: true, device: 'SwiftShader Device (Subzero)' });
    const lvp = classifyProbeOutput(ok, 'Using "llvmpipe (LLVM 15.0.6, 256 bits)" with driver: "/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so"');
    expect(lvp.software).toBe(true);
    const nv = classifyProbeOutput(ok, 'Using "NVIDIA GeForce RTX 4070" with driver: "/usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.0"');
    expect(nv).toMatchObject({ software: false, device: 'NVIDIA GeForce RTX 4070' });
  });

  it("falls back to onnxruntime's hardware discovery, and to 'unknown' without a witness", () => {
    const gpu = classifyProbeOutput(ok, 'Discovered OrtHardwareDevice {vendor_id:0x10de, device_id:0x2786, vendor:NVIDIA, type:1, metadata: []}');
    expect(gpu.software).toBe(false);
    const cpuOnly = classifyProbeOutput(ok, 'Discovered OrtHardwareDevice {vendor_id:0x1022, device_id:0x0, vendor:AMD, type:0, metadata: []}');
    expect(cpuOnly.software).toBeNull();
    const failed = classifyProbeOutput('\nTESSERA_PROBE {"ok":false,"error":"Failed to get a WebGPU adapter"}\n', '');
    expect(failed).toMatchObject({ available: false, error: 'Failed to get a WebGPU adapter' });
    expect(classifyProbeOutput('', '').available).toBe(false);
  });

  it('lists Vulkan driver manifests from the environment', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'icd-'));
    const icd = path.join(dir, 'x_icd.json');
    writeFileSync(icd, '{}');
    expect(vulkanDriverManifests({ VK_ICD_FILENAMES: `${icd}:${path.join(dir, 'missing.json')}` })).toEqual([icd]);
    expect(vulkanDriverManifests({ HOME: dir, XDG_DATA_DIRS: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir }).filter((f) => f.startsWith(dir))).toEqual([]);
  });
});

describe('backend decision', () => {
  const report = (over: Partial<AdapterReport>): (() => Promise<AdapterReport>) => async () => ({
    available: true,
    software: false,
    device: 'Some GPU',
    driver: undefined,
    evidence: 'test',
    error: undefined,
    runMs: 1,
    probeMs: 1,
    ...over,
  });

  it('auto picks WebGPU only for a hardware adapter', async () => {
    expect(await decideBackend('auto', report({}))).toMatchObject({ backend: 'webgpu' });
    expect(await decideBackend('auto', report({ software: true, device: 'SwiftShader' }))).toMatchObject({ backend: 'cpu', note: expect.stringMatching(/software renderer/) });
    expect(await decideBackend('auto', report({ software: null }))).toMatchObject({ backend: 'cpu' });
    expect(await decideBackend('auto', report({ available: false, error: 'none' }))).toMatchObject({ backend: 'cpu', note: expect.stringContaining('No WebGPU adapter') });
  });

  it('explicit webgpu allows a software adapter with a warning, and fails without any', async () => {
    expect(await decideBackend('webgpu', report({ software: true }))).toMatchObject({ backend: 'webgpu', note: expect.stringMatching(/^Warning/) });
    await expect(decideBackend('webgpu', report({ available: false, error: 'no adapter' }))).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect(await decideBackend('cpu', report({}))).toEqual({ backend: 'cpu', note: undefined });
    expect(await decideBackend('wasm', report({}))).toEqual({ backend: 'wasm', note: undefined });
  });
});
