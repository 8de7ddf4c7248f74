/* global console */
// Bundles the Electron-side code into out/ (what package.json "main" and electron-builder use):
//   out/main/index.js          main process (ESM; electron external)
//   out/preload/index.cjs      sandboxed preload (CommonJS: sandboxed preloads cannot be ESM)
//   out/host/utility-entry.js  engine host for utilityProcess (ESM; onnxruntime-* external: the
//                              native addon must load from node_modules, asar-unpacked when packaged,
//                              and onnxruntime-common must be the same instance onnxruntime-node registers with)
//   out/renderer/              a copy of renderer/dist (built by `npm run build`), served over app://
//   out/icon.png               the window icon
// Usage: node build/bundle.mjs [--check]   (--check: also fail when renderer/dist is missing)
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'out');
const strict = process.argv.includes('--check');

// ESM bundles that inline CommonJS dependencies need a real `require` (for Node built-ins).
const requireShim = "import { createRequire as __tesseraCreateRequire } from 'node:module'; const require = __tesseraCreateRequire(import.meta.url);";
const common = { bundle: true, sourcemap: 'linked', logLevel: 'warning', target: 'es2022', absWorkingDir: root };

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const jobs = [
  build({ ...common, entryPoints: ['electron/main/index.ts'], outfile: 'out/main/index.js', platform: 'node', format: 'esm', external: ['electron'], banner: { js: requireShim } }),
  build({ ...common, entryPoints: ['electron/preload/index.ts'], outfile: 'out/preload/index.cjs', platform: 'browser', format: 'cjs', external: ['electron'] }),
];
const hostEntry = 'electron/host/utility-entry.ts';
if (existsSync(path.join(root, hostEntry))) {
  jobs.push(
    build({
      ...common,
      entryPoints: [hostEntry],
      outfile: 'out/host/utility-entry.js',
      platform: 'node',
      format: 'esm',
      // bullmq and ioredis (distributed batches) load from node_modules like any dependency.
      external: ['electron', 'onnxruntime-node', 'onnxruntime-common', 'onnxruntime-web', 'onnxruntime-web/*', 'bullmq', 'ioredis'],
      banner: { js: requireShim },
    }),
  );
} else {
  console.warn(`bundle: ${hostEntry} does not exist yet; the app will start without an engine.`);
}
await Promise.all(jobs);

const rendererDist = path.join(root, 'renderer', 'dist');
if (existsSync(path.join(rendererDist, 'index.html'))) {
  cpSync(rendererDist, path.join(out, 'renderer'), { recursive: true });
} else if (strict) {
  console.error('bundle: renderer/dist/index.html is missing; run `npm run build` first.');
  process.exit(1);
} else {
  console.warn('bundle: renderer/dist is missing (run `npm run build`); the window will show a 404.');
}
const icon = path.join(root, 'build', 'icons', '512x512.png');
if (existsSync(icon)) cpSync(icon, path.join(out, 'icon.png'));
console.log(`bundle: wrote ${path.relative(root, out)}/ (main, preload${jobs.length > 2 ? ', host' : ''}${existsSync(path.join(out, 'renderer')) ? ', renderer' : ''})`);
