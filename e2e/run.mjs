// `npm run test:e2e`: builds the studio if it is stale, starts serve mode with the REAL engine on
// a random port and token, runs the Playwright suite (node:test) against it, and always shuts
// the server down. Then the static build's suite (e2e/web.e2e.test.mjs: dist-web/ on a plain static
// file server, the engine in the page), building dist-web/ first when it is stale. The engine serves the embedded default model (the first model it lists); a
// checkout without it uses the test fixture instead.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'renderer', 'dist', 'index.html');
const started = Date.now();

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const sources = Math.max(newestMtime(path.join(ROOT, 'renderer', 'src')), newestMtime(path.join(ROOT, 'shared')), statSync(path.join(ROOT, 'renderer', 'index.html')).mtimeMs);
if (!existsSync(DIST) || statSync(DIST).mtimeMs < sources) {
  console.log('e2e: building the studio…');
  const code = await run(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn']);
  if (code !== 0) process.exit(code);
}

/** Builds dist-web/ when it is older than its sources, then runs the static build's suite. */
async function runWebSuite() {
  if (!existsSync(path.join(ROOT, 'assets', 'models', 'tessera-landscapes-v1', 'manifest.json'))) {
    console.log('e2e: static build suite skipped: it ships the default model, and assets/models/tessera-landscapes-v1 is missing');
    return 0;
  }
  const webIndex = path.join(ROOT, 'dist-web', 'index.html');
  const webSources = Math.max(
    sources,
    newestMtime(path.join(ROOT, 'web')),
    newestMtime(path.join(ROOT, 'engine')),
    statSync(path.join(ROOT, 'vite.web.config.ts')).mtimeMs,
    statSync(path.join(ROOT, 'build', 'build-web.mjs')).mtimeMs,
    newestMtime(path.join(ROOT, 'assets', 'models')),
  );
  if (!existsSync(webIndex) || statSync(webIndex).mtimeMs < webSources) {
    console.log('e2e: building the static studio (npm run build:web)…');
    const built = await run(process.execPath, ['build/build-web.mjs']);
    if (built !== 0) return built;
  }
  return run(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', 'e2e/web.e2e.test.mjs']);
}

const env = { ...process.env };
if (!existsSync(path.join(ROOT, 'assets', 'models', 'tessera-landscapes-v1', 'manifest.json')) && !env.TESSERA_MODELS_DIR) {
  env.TESSERA_MODELS_DIR = path.join(ROOT, 'assets', 'fixtures');
  console.log(`e2e: no default model in assets/models; using models in ${env.TESSERA_MODELS_DIR}`);
}
const work = mkdtempSync(path.join(os.tmpdir(), 'tessera-e2e-'));
const outDir = path.join(work, 'out');
mkdirSync(outDir);
mkdirSync(path.join(ROOT, 'e2e', 'artifacts'), { recursive: true });
const token = randomBytes(18).toString('base64url');

const server = spawn(process.execPath, ['--import', 'tsx', 'electron/serve/main.ts', '--port', '0', `--token=${token}`, '--out', outDir, '--no-build'], {
  cwd: ROOT,
  env,
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: false,
});
server.stderr.on('data', (d) => process.stderr.write(`[serve] ${d}`));

let stopped = false;
async function stopServer() {
  if (stopped || server.exitCode !== null) return;
  stopped = true;
  server.kill('SIGTERM');
  const killer = setTimeout(() => server.kill('SIGKILL'), 5000);
  await new Promise((r) => (server.exitCode !== null ? r() : server.once('exit', r)));
  clearTimeout(killer);
}
process.on('SIGINT', () => void stopServer().then(() => process.exit(130)));

let code = 1;
try {
  const url = await new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('serve mode did not print its URL within 60 s')), 60_000);
    server.stdout.on('data', (d) => {
      buffer += d;
      const m = /Tessera studio: (\S+)/.exec(buffer);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.once('exit', (c) => reject(new Error(`serve mode exited early (${c})`)));
  });
  console.log(`e2e: serve mode at ${url.replace(token, '<token>')}`);
  code = await run(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', 'e2e/studio.e2e.test.mjs'], {
    env: { ...env, TESSERA_E2E_URL: url, TESSERA_E2E_OUT: outDir, TESSERA_E2E_WORK: work },
  });
  await stopServer();
  // The static build (no Tessera server at all): e2e/web.e2e.test.mjs serves dist-web/ itself.
  const webCode = await runWebSuite();
  if (code === 0) code = webCode;
} catch (error) {
  console.error(`e2e: ${error.message}`);
} finally {
  await stopServer();
  rmSync(work, { recursive: true, force: true });
}
// Timings on shared machines depend on what else runs: say how busy this one was.
const load = os.loadavg().map((l) => l.toFixed(1)).join(' / ');
console.log(`e2e: ${code === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s on ${os.cpus().length} cores, load average ${load} (screenshots in e2e/artifacts/)`);
process.exit(code);
