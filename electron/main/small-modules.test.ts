// Tests for the small plain modules: engine launch, renderer source, About page, model folders,
// recent files and the recovery slot.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAboutHtml, escapeHtml } from './about.ts';
import { buildEngineLaunch, describeEngineExit, ENGINE_CONNECT_MESSAGE, parseBackend } from './engine-launch.ts';
import { resolveModelDirs } from './model-dirs.ts';
import { addRecent, loadRecent, MAX_RECENT, removeRecent, saveRecent } from './recent-files.ts';
import { createRecoveryStore } from './recovery-store.ts';
import { resolveRendererSource } from './renderer-source.ts';

describe('buildEngineLaunch', () => {
  const launch = buildEngineLaunch({
    entryPath: '/app/out/host/utility-entry.js',
    embeddedModelsDir: '/app/resources/models',
    modelDirs: ['/home/u/.config/Tessera/models'],
    backend: 'cpu',
    env: { PATH: '/usr/bin', ELECTRON_RUN_AS_NODE: '1', NODE_OPTIONS: '--inspect', EMPTY: undefined },
  });
  it('passes the model folders and backend as the host expects them', () => {
    expect(launch.modulePath).toBe('/app/out/host/utility-entry.js');
    expect(launch.args).toEqual(['--embedded-models-dir=/app/resources/models', '--models-dir=/home/u/.config/Tessera/models', '--backend=cpu']);
  });
  it('does not leak run-as-node or debugger options into the engine', () => {
    expect(launch.env).toEqual({ PATH: '/usr/bin' });
  });
  it('uses the host’s port handshake message', () => {
    expect(ENGINE_CONNECT_MESSAGE).toEqual({ type: 'engine.connect' });
  });
  it('explains exits and parses backends', () => {
    expect(describeEngineExit(9)).toMatch(/exit code 9/);
    expect(describeEngineExit(0)).toBe('The engine exited.');
    expect(describeEngineExit(1, 'FatalError at x')).toMatch(/fatal error/);
    expect(parseBackend('webgpu')).toBe('webgpu');
    expect(parseBackend('gpu')).toBe('auto');
    expect(parseBackend(undefined)).toBe('auto');
  });
});

describe('resolveRendererSource', () => {
  it('uses app:// by default and always when packaged', () => {
    expect(resolveRendererSource(false, undefined)).toMatchObject({ kind: 'app', url: 'app://tessera/index.html' });
    const lines: string[] = [];
    expect(resolveRendererSource(true, 'http://localhost:5173', (l) => lines.push(l))).toMatchObject({ kind: 'app' });
    expect(lines[0]).toMatch(/ignored in a packaged app/);
  });
  it('uses a loopback dev server in development', () => {
    expect(resolveRendererSource(false, 'http://127.0.0.1:5173/')).toMatchObject({ kind: 'dev', url: 'http://127.0.0.1:5173/', csp: { kind: 'development', devServerUrl: 'http://127.0.0.1:5173' } });
  });
  it.each(['https://evil.example/', 'http://192.168.1.5:5173/', 'file:///tmp/index.html', 'nonsense'])('refuses dev server %s', (url) => {
    expect(resolveRendererSource(false, url).kind).toBe('app');
  });
});

describe('About page', () => {
  it('escapes every value and shows versions and backends', () => {
    const html = buildAboutHtml({
      appName: 'Tessera',
      appVersion: '0.1.0',
      versions: { electron: '45.5.0', chrome: '156.0', node: '22.1', v8: '14' },
      onnxruntime: '1.30.0',
      configuredBackend: 'auto',
      activeBackend: 'cpu (<img src=x onerror=alert(1)>)',
      modelsFolder: '/home/u/"models"',
      platform: 'linux',
      arch: 'x64',
    });
    expect(html).toContain('<td>45.5.0</td>');
    expect(html).toContain('<td>1.30.0</td>');
    expect(html).toContain('cpu (&lt;img src=x onerror=alert(1)&gt;)');
    expect(html).toContain('/home/u/&quot;models&quot;');
    expect(html).not.toMatch(/<script|style=/);
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });
  it('says when no model is loaded', () => {
    expect(buildAboutHtml({ appName: 'T', appVersion: '1', versions: {}, configuredBackend: 'auto', modelsFolder: '/m', platform: 'linux', arch: 'x64' })).toContain('no model loaded yet');
  });
});

describe('resolveModelDirs', () => {
  it('uses resources/models when packaged and assets/models in development, plus the user folder', () => {
    expect(resolveModelDirs({ isPackaged: true, resourcesPath: '/opt/T/resources', appPath: '/opt/T/resources/app.asar', userDataPath: '/home/u/.config/Tessera' })).toEqual({
      embedded: '/opt/T/resources/models',
      user: '/home/u/.config/Tessera/models',
      all: ['/opt/T/resources/models', '/home/u/.config/Tessera/models'],
    });
    expect(resolveModelDirs({ isPackaged: false, resourcesPath: '/x', appPath: '/repo', userDataPath: '/u' }).embedded).toBe('/repo/assets/models');
  });
});

describe('recent files', () => {
  it('keeps the most recent first, without duplicates, bounded', () => {
    expect(addRecent(['/a', '/b'], '/b')).toEqual(['/b', '/a']);
    const many = Array.from({ length: 20 }, (_, i) => `/f${i}`).reduce<string[]>((list, p) => addRecent(list, p), []);
    expect(many).toHaveLength(MAX_RECENT);
    expect(many[0]).toBe('/f19');
    expect(removeRecent(['/a', '/b'], '/a')).toEqual(['/b']);
  });
  it('persists and tolerates a corrupt file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tessera-recent-'));
    const file = path.join(dir, 'recent.json');
    await saveRecent(file, ['/x.tessera.json']);
    expect(await loadRecent(file)).toEqual(['/x.tessera.json']);
    writeFileSync(file, '[1,2');
    expect(await loadRecent(file)).toEqual([]);
  });
});

describe('recovery slot', () => {
  it('round-trips structured data with typed arrays, and clears', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tessera-recovery-'));
    const file = path.join(dir, 'recovery', 'document.bin');
    const slot = createRecoveryStore(file);
    expect(await slot.read()).toBeNull();
    const value = { name: 'scene', layout: { width: 2, height: 1, data: new Uint8Array([3, 4]) } };
    await slot.write(value);
    expect(await slot.read()).toEqual(value);
    await slot.clear();
    expect(existsSync(file)).toBe(false);
    expect(await slot.read()).toBeNull();
  });
  it('refuses values that cannot be serialised and reads a corrupt slot as empty', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tessera-recovery-'));
    const slot = createRecoveryStore(path.join(dir, 'd.bin'));
    await expect(slot.write({ f: () => 1 })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    writeFileSync(path.join(dir, 'd.bin'), 'garbage');
    expect(await slot.read()).toBeNull();
  });
});
