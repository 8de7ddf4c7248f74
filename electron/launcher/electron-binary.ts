/**
 * Finds a working Electron binary without ever running one blindly. The electron npm package
 * downloads its binary on first `require('electron')`, which fails (and throws) on machines
 * without network, so nothing here requires it. Instead:
 *   1. a path check over the places a binary can be (ELECTRON_BINARY, ELECTRON_DIST,
 *      ELECTRON_OVERRIDE_DIST_PATH, node_modules/electron/dist via its path.txt);
 *   2. `ELECTRON_RUN_AS_NODE=1 <binary> -p process.versions.electron` with a timeout: a real
 *      Electron prints its version; anything else (a stub, a wrong-arch file, a hang) fails here.
 * Used by `npm start` (launcher/start.ts) and the Electron e2e (which must not hand Playwright an
 * unverified binary: a non-Electron executable crashes the test process, uncatchably).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface Candidate {
  path: string;
  /** Where it came from, for the one-line message. */
  source: string;
}

export type Detection = { ok: true; binary: string; version: string; source: string } | { ok: false; reason: string };

export interface ProbeResult {
  status: number | null;
  stdout: string;
  stderr: string;
  error?: string;
}

export interface DetectDeps {
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  /** node_modules/electron, or null when the package is not installed. */
  electronPackageDir: string | null;
  isFile(file: string): boolean;
  readText(file: string): string | null;
  probe(binary: string, timeoutMs: number): ProbeResult;
}

export function executableName(platform: NodeJS.Platform): string {
  if (platform === 'win32') return 'electron.exe';
  if (platform === 'darwin') return path.join('Electron.app', 'Contents', 'MacOS', 'Electron');
  return 'electron';
}

export function electronCandidates(deps: Omit<DetectDeps, 'probe' | 'isFile'>): Candidate[] {
  const { env, platform, electronPackageDir } = deps;
  const exe = executableName(platform);
  const candidates: Candidate[] = [];
  if (env.ELECTRON_BINARY) candidates.push({ path: path.resolve(env.ELECTRON_BINARY), source: 'ELECTRON_BINARY' });
  if (env.ELECTRON_DIST) candidates.push({ path: path.resolve(env.ELECTRON_DIST, exe), source: 'ELECTRON_DIST' });
  if (electronPackageDir !== null) {
    // path.txt is written by the package's installer once it has downloaded and unpacked the binary.
    const pathTxt = deps.readText(path.join(electronPackageDir, 'path.txt'))?.trim() || exe;
    if (env.ELECTRON_OVERRIDE_DIST_PATH) candidates.push({ path: path.resolve(env.ELECTRON_OVERRIDE_DIST_PATH, pathTxt), source: 'ELECTRON_OVERRIDE_DIST_PATH' });
    candidates.push({ path: path.join(electronPackageDir, 'dist', pathTxt), source: 'node_modules/electron' });
  }
  return candidates;
}

const VERSION = /^\d+\.\d+\.\d+(?:-[\w.]+)?$/;

export function detectElectron(deps: DetectDeps, timeoutMs = 15_000): Detection {
  const candidates = electronCandidates(deps);
  const found = candidates.find((c) => deps.isFile(c.path));
  if (found === undefined) {
    const where = deps.electronPackageDir === null ? 'the electron package is not installed' : 'node_modules/electron/dist is missing, its download needs network';
    return { ok: false, reason: `no Electron binary (${where}; set ELECTRON_DIST to an unpacked Electron folder to use one)` };
  }
  const result = deps.probe(found.path, timeoutMs);
  const version = result.stdout.trim();
  if (result.status === 0 && VERSION.test(version)) return { ok: true, binary: found.path, version, source: found.source };
  const detail = result.error ?? (result.stderr.trim().split('\n')[0] || `exit ${result.status ?? 'by signal'}, printed "${version.slice(0, 60)}"`);
  return { ok: false, reason: `${found.path} (from ${found.source}) is not a working Electron: ${detail}` };
}

function findElectronPackage(fromDir: string): string | null {
  try {
    // Resolves package.json only: requiring the package itself would start a download.
    return path.dirname(createRequire(path.join(fromDir, 'noop.js')).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** The real-world dependencies: this machine's filesystem, env and a spawn with a timeout. */
export function systemDetectDeps(repoRoot: string, env: NodeJS.ProcessEnv = process.env): DetectDeps {
  return {
    env,
    platform: process.platform,
    electronPackageDir: findElectronPackage(repoRoot),
    isFile: (file) => existsSync(file) && statSync(file).isFile(),
    readText: (file) => {
      try {
        return readFileSync(file, 'utf8');
      } catch {
        return null;
      }
    },
    probe: (binary, timeoutMs) => {
      const run = spawnSync(binary, ['-p', 'process.versions.electron'], {
        env: { ...env, ELECTRON_RUN_AS_NODE: '1' },
        encoding: 'utf8',
        timeout: timeoutMs,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const result: ProbeResult = { status: run.status, stdout: run.stdout ?? '', stderr: run.stderr ?? '' };
      if (run.error) result.error = (run.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `no answer within ${timeoutMs} ms` : run.error.message;
      return result;
    },
  };
}
