/**
 * Serve mode for the fuzz runner where the studio has not been built (renderer/dist missing):
 * the same `startServe` as `npm run serve`, with the same options parser, serving a two-file stub
 * of the studio instead of building it (a vite build would cost minutes of shared CPU). Every
 * security check, the WebSocket and the engine are the real ones. Prints the same first line as
 * electron/serve/main.ts so the runner reads the URL the same way.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseServeArgs } from '../../electron/serve/options.ts';
import { startServe } from '../../electron/serve/server.ts';

// The runner names a folder inside its own temporary folder (removed after the run).
const stub = process.env.TESSERA_FUZZ_STUB_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'tessera-fuzz-studio-'));
mkdirSync(path.join(stub, 'assets'), { recursive: true });
writeFileSync(path.join(stub, 'index.html'), '<!doctype html><title>Tessera (fuzz stub)</title><script type="module" src="/assets/app.js"></script>');
writeFileSync(path.join(stub, 'assets', 'app.js'), 'export {};\n');

const options = parseServeArgs(process.argv.slice(2));
const handle = await startServe({ ...options, rendererDir: stub, build: false });
console.log(`Tessera studio: ${handle.url}`);
const stop = (): void => {
  void handle.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
