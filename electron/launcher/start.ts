/**
 * `npm start` [-- --dev]: build and run the desktop app where Electron exists; otherwise say so in
 * one line and run the studio in the browser (serve mode) with the same engine host.
 *   --dev   renderer from the Vite dev server (hot reload) instead of the app:// build
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { serveStateDir } from '../serve/state-dir.ts';
import { openOrStartStudio } from './serve-fallback.ts';
import { buildRenderer } from '../serve/renderer-build.ts';
import { detectElectron, systemDetectDeps } from './electron-binary.ts';
import { openInBrowser } from './open-url.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(command)} ${args.join(' ')} exited with ${code}`))));
  });
}

/** Starts `vite` for the renderer and resolves with its local URL once it is listening. */
function startDevServer(): Promise<{ url: string; child: ChildProcess }> {
  const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const child = spawn(process.execPath, [vite, '--config', path.join(REPO_ROOT, 'vite.renderer.config.ts'), '--host', '127.0.0.1'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      seen += chunk.toString();
      // eslint-disable-next-line no-control-regex -- strip ANSI colours around the URL
      const match = /Local:\s+(http:\/\/127\.0\.0\.1:\d+\/?)/.exec(seen.replace(/\u001b\[[0-9;]*m/g, ''));
      if (match?.[1]) resolve({ url: match[1], child });
    });
    child.on('exit', (code) => reject(new Error(`the Vite dev server exited with ${code}`)));
  });
}

async function runElectron(binary: string, dev: boolean): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  let devServer: ChildProcess | undefined;
  if (dev) {
    const server = await startDevServer();
    devServer = server.child;
    env.TESSERA_DEV_SERVER_URL = server.url;
  } else {
    await buildRenderer((line) => console.log(line));
  }
  await run(process.execPath, [path.join(REPO_ROOT, 'build', 'bundle.mjs'), ...(dev ? [] : ['--check'])]);
  const app = spawn(binary, [REPO_ROOT], { cwd: REPO_ROOT, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.kill(signal));
  return new Promise((resolve) => {
    app.on('exit', (code, signal) => {
      devServer?.kill();
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

async function runServeFallback(): Promise<void> {
  const start = await openOrStartStudio(serveStateDir(), { log: (line) => console.log(line) });
  if (start.kind === 'opened-running') {
    console.log(openInBrowser(start.url) ? `Tessera is already running; opened it in your browser: ${start.url}` : `Tessera is already running: ${start.url}`);
    return;
  }
  const { handle } = start;
  if (start.note) console.log(start.note);
  console.log(openInBrowser(handle.url) ? `Opened the studio in your browser: ${handle.url}` : `Open the studio in your browser: ${handle.url}`);
  const stop = (): void => void handle.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function main(): Promise<void> {
  const dev = process.argv.includes('--dev');
  const detection = detectElectron(systemDetectDeps(REPO_ROOT));
  if (!detection.ok) {
    console.log(`Electron is not available here: ${detection.reason}. Starting the studio in your browser instead (serve mode).`);
    await runServeFallback();
    return;
  }
  console.log(`Starting Tessera with Electron ${detection.version} (${detection.binary})`);
  process.exitCode = await runElectron(detection.binary, dev);
}

main().catch((error: unknown) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
