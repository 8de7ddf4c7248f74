import { describe, expect, it } from 'vitest';
import { chooseWebBackend, type WebAdapterReport, type WebEnvironment } from './choose-backend.ts';

const swiftshader: WebAdapterReport = { vendor: 'google', architecture: 'swiftshader', description: '', isFallbackAdapter: true };
const hardware: WebAdapterReport = { vendor: 'nvidia', architecture: 'ada', description: 'NVIDIA GeForce RTX 4070', isFallbackAdapter: false };
const env = (adapter: WebAdapterReport | null, crossOriginIsolated = false, cores = 8): WebEnvironment => ({ adapter, adapterProblem: adapter ? undefined : 'requestAdapter returned null', crossOriginIsolated, cores });

describe('the page engine picks its backend', () => {
  it('auto: WebGPU on a hardware adapter', () => {
    expect(chooseWebBackend('auto', env(hardware))).toMatchObject({ provider: 'webgpu', note: undefined });
  });

  it('auto: a fallback or software adapter counts as no GPU (WASM, with the reason)', () => {
    const fallback = chooseWebBackend('auto', env(swiftshader));
    expect(fallback.provider).toBe('wasm');
    expect(fallback.note).toMatch(/software renderer/);
    // Named like software even when the browser does not flag it as a fallback.
    expect(chooseWebBackend('auto', env({ ...swiftshader, isFallbackAdapter: false, architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).provider).toBe('wasm');
    expect(chooseWebBackend('auto', env(null)).note).toMatch(/no WebGPU adapter/);
  });

  it('WASM threads only when cross-origin isolated (capped), else one', () => {
    expect(chooseWebBackend('auto', env(null, false, 16)).threads).toBe(1);
    expect(chooseWebBackend('wasm', env(null, true, 16)).threads).toBe(4);
    expect(chooseWebBackend('cpu', env(null, true, 2))).toMatchObject({ provider: 'wasm', threads: 2 });
  });

  it('an explicit webgpu forces WebGPU even on a software adapter, with a warning; without any adapter it says what to do', () => {
    const forced = chooseWebBackend('webgpu', env(swiftshader));
    expect(forced.provider).toBe('webgpu');
    expect(forced.note).toMatch(/forced.*slower than WASM/);
    expect(() => chooseWebBackend('webgpu', env(null))).toThrow(/Choose Auto or WASM/);
  });
});
