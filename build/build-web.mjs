/* global console */
// `npm run build:web`: the studio as a static folder that any static file host can serve, with the
// engine in a Worker of the page (README "The studio in a browser"). Nothing in it is fetched from
// anywhere but its own folder:
//   dist-web/index.html, assets/     the studio (vite.web.config.ts: VITE_TESSERA_ENGINE=page)
//   dist-web/engine/engine-worker.js the in-page engine (web/worker/engine-worker.ts, esbuild; the two
//                                    onnxruntime-web builds split into chunks loaded on demand)
//   dist-web/ort/                    onnxruntime-web's WASM files (ort.env.wasm.wasmPaths points here)
//   dist-web/models/index.json       the bundles, default model first; models/<id>/ each bundle's
//                                    manifest.json and the ONNX files it lists (sha256 in the manifest)
// Usage: node build/build-web.mjs [--out DIR] [--model DIR]…   (default: assets/models/tessera-landscapes-v1)
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { out: { type: 'string' }, model: { type: 'string', multiple: true } } });
const out = path.resolve(root, values.out ?? 'dist-web');
const models = (values.model?.length ? values.model : ['assets/models/tessera-landscapes-v1']).map((m) => path.resolve(root, m));
const started = Date.now();

function fail(message) {
  console.error(`build:web: ${message}`);
  process.exit(1);
}

// 1. The studio page.
const vite = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'vite.web.config.ts', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
if (vite.status !== 0) fail('vite build failed');

// 2. The engine Worker. `import('onnxruntime-web/wasm' | '…/webgpu')` become separate chunks.
await build({
  absWorkingDir: root,
  entryPoints: { 'engine-worker': 'web/worker/engine-worker.ts' },
  outdir: path.join(out, 'engine'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  logLevel: 'warning',
  // The .wasm files are loaded from ort/ (wasmPaths), never through the bundle.
  loader: { '.wasm': 'empty' },
});

// 3. onnxruntime-web's WASM binaries and their loaders, for the two builds the Worker may pick.
const ortDist = path.join(root, 'node_modules', 'onnxruntime-web', 'dist');
mkdirSync(path.join(out, 'ort'), { recursive: true });
for (const file of ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.asyncify.wasm', 'ort-wasm-simd-threaded.asyncify.mjs']) {
  copyFileSync(path.join(ortDist, file), path.join(out, 'ort', file));
}

// 4. The models: each bundle's manifest and exactly the files it lists (not its training weights).
const ids = [];
for (const dir of models) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  } catch (error) {
    fail(`${dir} has no readable manifest.json (${error.message}); pass a model bundle folder with --model`);
  }
  const target = path.join(out, 'models', manifest.id);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  copyFileSync(path.join(dir, 'manifest.json'), path.join(target, 'manifest.json'));
  for (const [key, file] of Object.entries(manifest.files ?? {})) {
    if (!file || key === 'transformerInt8') continue; // the page never loads the int8 variant
    const from = path.join(dir, file.path);
    if (statSync(from).size !== file.bytes) fail(`${from} is not the size its manifest says (${file.bytes} bytes): fix the bundle first`);
    mkdirSync(path.dirname(path.join(target, file.path)), { recursive: true });
    copyFileSync(from, path.join(target, file.path));
  }
  ids.push(manifest.id);
}
writeFileSync(path.join(out, 'models', 'index.json'), `${JSON.stringify({ bundles: ids }, null, 2)}\n`);

console.log(`build:web: ${path.relative(root, out) || out} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (models: ${ids.join(', ')}). Serve it with any static file server, e.g. python3 -m http.server -d ${path.relative(root, out)}`);
