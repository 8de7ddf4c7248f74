// Runs scripts/electronegativity.mjs (so `npm test` includes the Electron security scan): the
// project must have no HIGH finding, and a deliberately insecure app must fail the script.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const script = path.join(root, 'scripts', 'electronegativity.mjs');

async function scan(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script, ...args], { cwd: root, timeout: 120_000 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('electronegativity', () => {
  it('finds no HIGH-severity issue in the project, and fails an insecure app', async () => {
    const bad = mkdtempSync(path.join(tmpdir(), 'tessera-insecure-app-'));
    writeFileSync(path.join(bad, 'package.json'), JSON.stringify({ name: 'insecure', devDependencies: { electron: '45.5.0' } }));
    writeFileSync(path.join(bad, 'main.js'), "const { BrowserWindow } = require('electron');\nnew BrowserWindow({ webPreferences: { contextIsolation: false, sandbox: false } });\n");

    const [project, insecure] = await Promise.all([scan([]), scan([`--input=${bad}`])]);
    if (/SKIPPED/.test(project.out)) return; // package not installable: the script says why
    expect(project.out).toMatch(/0 high, .* ok \(no HIGH findings\)/);
    expect(project.code).toBe(0);
    expect(insecure.out).toMatch(/HIGH\s+\S+\s+CONTEXT_ISOLATION_JS_CHECK/);
    expect(insecure.code).toBe(1);
  }, 180_000);
});
