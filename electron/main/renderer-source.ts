/**
 * Where the studio page comes from: the built renderer over app:// (always, when packaged), or
 * the Vite dev server in development. The dev URL comes from the environment, so it is only
 * honoured for an unpackaged app and only on the loopback interface — an environment variable
 * must not be able to point an installed app at a remote page with our preload.
 */
import { APP_INDEX_URL } from './app-protocol.ts';
import type { CspMode } from './csp.ts';

export type RendererSource = { kind: 'app'; url: string; csp: CspMode } | { kind: 'dev'; url: string; csp: CspMode };

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function resolveRendererSource(isPackaged: boolean, devServerUrl: string | undefined, log: (line: string) => void = () => {}): RendererSource {
  const production: RendererSource = { kind: 'app', url: APP_INDEX_URL, csp: { kind: 'production' } };
  if (devServerUrl === undefined || devServerUrl === '') return production;
  if (isPackaged) {
    log('[main] TESSERA_DEV_SERVER_URL is ignored in a packaged app');
    return production;
  }
  let url: URL;
  try {
    url = new URL(devServerUrl);
  } catch {
    log(`[main] TESSERA_DEV_SERVER_URL is not a URL (${devServerUrl}); using the built renderer`);
    return production;
  }
  if (url.protocol !== 'http:' || !LOOPBACK.has(url.hostname)) {
    log(`[main] TESSERA_DEV_SERVER_URL must be http on localhost (${devServerUrl}); using the built renderer`);
    return production;
  }
  return { kind: 'dev', url: url.href, csp: { kind: 'development', devServerUrl: url.origin } };
}
