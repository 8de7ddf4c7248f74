/**
 * `npm run serve`: the studio in a browser, the engine in a supervised child process. Prints the
 * URL (with its token) and, over HTTPS, the certificate's fingerprint; shuts down cleanly on
 * Ctrl+C / SIGTERM.
 */
import { instanceRecordPath } from './instance-record.ts';
import { PortInUseError } from './listen.ts';
import { parseServeArgs, USAGE, type ServeCliOptions } from './options.ts';
import { isLoopbackHost } from './security.ts';
import { startServe, type ServeHandle, type ServeOptions } from './server.ts';
import { serveStateDir } from './state-dir.ts';
import { resolveTls, TlsSetupError } from './tls.ts';

export { startServe } from './server.ts';
export type { ServeHandle, ServeOptions } from './server.ts';

/** Turns the parsed command line into server options: the certificate, and the running-studio record. */
export async function prepareServe(cli: ServeCliOptions, stateDir = serveStateDir()): Promise<ServeOptions> {
  const { help: _help, tlsChoice, ...options } = cli;
  const host = options.host ?? '127.0.0.1';
  if (tlsChoice?.kind === 'files') options.tls = await resolveTls({ kind: 'files', certFile: tlsChoice.certFile, keyFile: tlsChoice.keyFile });
  else if (tlsChoice?.kind === 'self-signed') options.tls = await resolveTls({ kind: 'self-signed', stateDir, hostNames: isLoopbackHost(host) || host === '0.0.0.0' || host === '::' ? [] : [host] });
  // Only a loopback HTTP studio is what a second `npm start` may open in the user's browser.
  if (!options.tls && isLoopbackHost(host)) options.instanceRecordFile = instanceRecordPath(stateDir);
  return options;
}

/** The lines a user needs after the studio starts. */
export function describeServe(handle: ServeHandle, tlsSource?: string): string[] {
  const lines = [`Tessera studio: ${handle.url}`];
  if (handle.busyPort !== undefined) lines.push(`Port ${handle.busyPort} is in use by another program, so the studio took port ${handle.port}.`);
  if (handle.tlsFingerprint) {
    lines.push(`HTTPS with ${tlsSource ?? 'a certificate'}; SHA-256 fingerprint ${handle.tlsFingerprint}`);
    if (tlsSource?.startsWith('self-signed')) lines.push('Your browser will warn about the self-signed certificate: accept it only if the fingerprint it shows is the one above.');
  }
  lines.push(`Batch output: ${handle.outDir}`);
  if (!isLoopbackHost(handle.host)) {
    lines.push(
      handle.tlsFingerprint
        ? 'Listening beyond this machine: anyone with the URL (and its token) can use the engine.'
        : 'Listening beyond this machine over plain HTTP: the token crosses the network in clear. Use --tls, or an SSH tunnel to a loopback studio (README).',
    );
  }
  return lines;
}

async function main(): Promise<void> {
  let cli: ServeCliOptions;
  try {
    cli = parseServeArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
  if (cli.help) {
    console.log(USAGE);
    return;
  }
  const options = await prepareServe(cli);
  const handle = await startServe(options);
  for (const line of describeServe(handle, options.tls?.source)) console.log(line);
  const stop = (): void => {
    void handle.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

// Run only as the entry point: the launcher imports startServe from here.
if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('serve/main.ts')) {
  main().catch((error: unknown) => {
    console.error(`serve failed: ${error instanceof Error ? error.message : String(error)}`);
    // A busy port or an unusable certificate is the user's to fix (exit 2, like bad CLI input).
    process.exit(error instanceof PortInUseError || error instanceof TlsSetupError ? 2 : 1);
  });
}
