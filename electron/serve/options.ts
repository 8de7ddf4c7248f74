/** Command-line options of `npm run serve` (also used by the launcher's fallback). */
import { parseArgs } from 'node:util';
import { BACKENDS, type Backend } from '../../shared/protocol.ts';
import { QueueUrlSchema, redactQueueUrl } from '../../shared/queue-target.ts';
import type { ServeOptions } from './server.ts';
import { isLoopbackHost } from './security.ts';

/** How the command line asked for TLS; resolved into a certificate by tls.ts before serving. */
export type TlsChoice = { kind: 'off' } | { kind: 'self-signed' } | { kind: 'files'; certFile: string; keyFile: string };

export interface ServeCliOptions extends ServeOptions {
  help?: boolean;
  tlsChoice?: TlsChoice;
}

export const USAGE = `Usage: npm run serve -- [options]

  --host HOST      interface to bind (default 127.0.0.1; 0.0.0.0 to paint from another machine)
  --port PORT      port (default 4780, or a free one when 4780 is busy; 0 = a random free port)
  --token TOKEN    access token for the URL (default: random)
  --models DIR     extra model folder (repeatable; TESSERA_MODELS_DIR also works)
  --out DIR        batch output root on this machine (default ~/Tessera/batches)
  --backend NAME   auto | cpu | webgpu | wasm (default auto)
  --queue URL      a Redis queue (redis://…, rediss://…) the studio's Batch panel may use for
                   distributed batches (repeatable; docs/DISTRIBUTED.md)
  --tls            serve HTTPS with a self-signed certificate made on first use (its
                   SHA-256 fingerprint is printed; the default when --host is not loopback)
  --tls-cert FILE  serve HTTPS with this PEM certificate (with --tls-key)
  --tls-key FILE   the certificate's PEM private key
  --no-tls         plain HTTP even on a non-loopback --host (prefer an SSH tunnel: see README)
  --no-build       fail instead of building the studio when renderer/dist is missing
  -h, --help       show this help`;

export function parseServeArgs(argv: string[]): ServeCliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      token: { type: 'string' },
      models: { type: 'string', multiple: true },
      out: { type: 'string' },
      backend: { type: 'string' },
      queue: { type: 'string', multiple: true },
      'no-build': { type: 'boolean' },
      tls: { type: 'boolean' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'no-tls': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return { help: true };
  const options: ServeCliOptions = {};
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
  if (values.queue) {
    for (const url of values.queue) if (!QueueUrlSchema.safeParse(url).success) throw new Error(`--queue must be redis://[user:password@]host:port[/db] or rediss://… (got "${redactQueueUrl(url)}")`);
    options.queues = values.queue;
  }
  if (values['no-build']) options.build = false;
  // A busy default port moves to a free one; a port the user chose is theirs to change.
  if (values.port === undefined) options.portFallback = true;
  options.tlsChoice = tlsChoiceOf(values, options.host ?? '127.0.0.1');
  return options;
}

function tlsChoiceOf(values: { tls?: boolean; 'tls-cert'?: string; 'tls-key'?: string; 'no-tls'?: boolean }, host: string): TlsChoice {
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if ((cert === undefined) !== (key === undefined)) throw new Error('--tls-cert and --tls-key go together: give both files (or --tls for a self-signed certificate)');
  const asked = [values.tls === true, cert !== undefined, values['no-tls'] === true].filter(Boolean).length;
  if (asked > 1) throw new Error('Choose one of --tls, --tls-cert/--tls-key and --no-tls');
  if (cert !== undefined && key !== undefined) return { kind: 'files', certFile: cert, keyFile: key };
  if (values.tls) return { kind: 'self-signed' };
  if (values['no-tls']) return { kind: 'off' };
  // Beyond loopback the token would cross the network in clear: encrypt unless told not to.
  return isLoopbackHost(host) ? { kind: 'off' } : { kind: 'self-signed' };
}
