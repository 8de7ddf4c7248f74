/** Builds the renderer on demand (`vite build`) when renderer/dist is missing. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const DEFAULT_RENDERER_DIR = path.join(REPO_ROOT, 'renderer', 'dist');

export function rendererBuilt(dir: string): boolean {
  return existsSync(path.join(dir, 'index.html'));
}

export function buildRenderer(log: (line: string) => void): Promise<void> {
  const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  log('Building the studio (vite build)…');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--config', path.join(REPO_ROOT, 'vite.renderer.config.ts'), '--logLevel', 'warn'], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}`))));
  });
}
