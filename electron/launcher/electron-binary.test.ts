import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectElectron, electronCandidates, executableName, systemDetectDeps, type DetectDeps, type ProbeResult } from './electron-binary.ts';

function deps(overrides: Partial<DetectDeps> & { files?: string[]; probeResult?: ProbeResult } = {}): DetectDeps & { probed: string[] } {
  const probed: string[] = [];
  const files = new Set(overrides.files ?? []);
  return {
    env: {},
    platform: 'linux',
    electronPackageDir: '/repo/node_modules/electron',
    isFile: (f) => files.has(f),
    readText: () => null,
    probe: (binary) => {
      probed.push(binary);
      return overrides.probeResult ?? { status: 0, stdout: '45.5.0\n', stderr: '' };
    },
    ...overrides,
    probed,
  };
}

describe('electronCandidates', () => {
  it('orders explicit settings before the npm package', () => {
    const c = electronCandidates({
      env: { ELECTRON_BINARY: '/x/my-electron', ELECTRON_DIST: '/dist', ELECTRON_OVERRIDE_DIST_PATH: '/override' },
      platform: 'linux',
      electronPackageDir: '/repo/node_modules/electron',
      readText: () => 'electron',
    });
    expect(c.map((x) => [x.source, x.path])).toEqual([
      ['ELECTRON_BINARY', '/x/my-electron'],
      ['ELECTRON_DIST', '/dist/electron'],
      ['ELECTRON_OVERRIDE_DIST_PATH', '/override/electron'],
      ['node_modules/electron', '/repo/node_modules/electron/dist/electron'],
    ]);
  });
  it('knows each platform’s executable', () => {
    expect(executableName('win32')).toBe('electron.exe');
    expect(executableName('darwin')).toBe(path.join('Electron.app', 'Contents', 'MacOS', 'Electron'));
  });
});

describe('detectElectron', () => {
  it('reports a missing binary without running anything', () => {
    const d = deps();
    const r = detectElectron(d);
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/^no Electron binary \(node_modules\/electron\/dist is missing.*ELECTRON_DIST/) });
    expect(d.probed).toEqual([]);
  });

  it('says when the electron package is not installed at all', () => {
    expect(detectElectron(deps({ electronPackageDir: null }))).toMatchObject({ ok: false, reason: expect.stringMatching(/not installed/) });
  });

  it('accepts a binary that answers with a version when run as Node', () => {
    const d = deps({ files: ['/repo/node_modules/electron/dist/electron'] });
    expect(detectElectron(d)).toEqual({ ok: true, binary: '/repo/node_modules/electron/dist/electron', version: '45.5.0', source: 'node_modules/electron' });
  });

  it.each([
    [{ status: 0, stdout: 'undefined\n', stderr: '' }, /printed "undefined"/],
    [{ status: 1, stdout: '', stderr: 'cannot execute binary file\nmore' }, /cannot execute binary file$/],
    [{ status: null, stdout: '', stderr: '', error: 'no answer within 15000 ms' }, /no answer/],
  ])('rejects a binary that is not a working Electron (%#)', (probeResult, reason) => {
    const r = detectElectron(deps({ files: ['/repo/node_modules/electron/dist/electron'], probeResult }));
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
  });

  it('really probes: a shell script pretending to be Electron is caught, a fake one that prints a version passes', () => {
    if (process.platform === 'win32') return;
    const dir = mkdtempSync(path.join(tmpdir(), 'tessera-fake-electron-'));
    const stub = path.join(dir, 'electron');
    writeFileSync(stub, '#!/bin/sh\necho "I am not electron"\n');
    chmodSync(stub, 0o755);
    const env = { ELECTRON_DIST: dir, PATH: process.env.PATH };
    expect(detectElectron(systemDetectDeps(process.cwd(), env))).toMatchObject({ ok: false, reason: expect.stringMatching(/not a working Electron/) });

    writeFileSync(stub, '#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] && echo 45.5.0\n');
    expect(detectElectron(systemDetectDeps(process.cwd(), env))).toMatchObject({ ok: true, version: '45.5.0', source: 'ELECTRON_DIST' });

    writeFileSync(stub, '#!/bin/sh\nsleep 5\n');
    expect(detectElectron(systemDetectDeps(process.cwd(), env), 300)).toMatchObject({ ok: false, reason: expect.stringMatching(/no answer within 300 ms/) });
  });
});
