/** Command-line options of `npm run serve` (also used by the launcher's fallback). */
import { parseArgs } from 'node:util';
import { BACKENDS, type Backend } from '../../shared/protocol.ts';
import type { ServeOptions } from './server.ts';

export const USAGE = `Usage: npm run serve -- [options]

  --host HOST      interface to bind (default 127.0.0.1; 0.0.0.0 to paint from another machine)
  --port PORT      port (default 4780; 0 = a random free port)
  --token TOKEN    access token for the URL (default: random)
  --models DIR     extra model folder (repeatable; TESSERA_MODELS_DIR also works)
  --out DIR        batch output root on this machine (default ~/Tessera/batches)
  --backend NAME   auto | cpu | webgpu | wasm (default auto)
  --no-build       fail instead of building the studio when renderer/dist is missing
  -h, --help       show this help`;

export function parseServeArgs(argv: string[]): ServeOptions & { help?: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      token: { type: 'string' },
      models: { type: 'string', multiple: true },
      out: { type: 'string' },
      backend: { type: 'string' },
      'no-build': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return { help: true };
  const options: ServeOptions = {};
  if (values.host !== undefined) options.host = values.host;
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535 (got "${values.port}")`);
    options.port = port;
  }
  if (values.token !== undefined) {
    if (values.token.length < 16) throw new Error('--token must be at least 16 characters (or leave it out for a random one)');
    options.token = values.token;
  }
  if (values.models) options.modelDirs = values.models;
  if (values.out !== undefined) options.outDir = values.out;
  if (values.backend !== undefined) {
    if (!(BACKENDS as readonly string[]).includes(values.backend)) throw new Error(`--backend must be one of ${BACKENDS.join(', ')}`);
    options.backend = values.backend as Backend;
  }
  if (values['no-build']) options.build = false;
  return options;
}
