/**
 * The Content-Security-Policy main attaches to every response (session.webRequest and the app://
 * handler both call `securityHeaders`). Set by main rather than by a <meta> tag so that it also
 * covers responses the renderer build did not write, and so that dev and production differ only
 * here. The renderer runs no engine code in Electron (the engine is a utilityProcess reached by
 * MessagePort), so production needs no 'unsafe-eval', no 'wasm-unsafe-eval' and no network.
 */
import { APP_ORIGIN } from './app-protocol.ts';

export type CspMode = { kind: 'production' } | { kind: 'development'; devServerUrl: string };

function serialize(directives: Record<string, string[]>): string {
  return Object.entries(directives)
    .map(([name, sources]) => (sources.length > 0 ? `${name} ${sources.join(' ')}` : name))
    .join('; ');
}

export function buildCsp(mode: CspMode): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    // React writes styles through CSSOM (allowed without 'unsafe-inline'); the build emits CSS files.
    'style-src': ["'self'"],
    // Previews and exports are drawn to canvases and handed around as blob:/data: URLs.
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'worker-src': ["'self'", 'blob:'],
    'object-src': ["'none'"],
    'frame-src': ["'none'"],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
  };
  if (mode.kind === 'development') {
    const origin = new URL(mode.devServerUrl).origin;
    const ws = origin.replace(/^http/, 'ws');
    // Vite's dev client injects an inline React-refresh preamble and style tags, and talks HMR over
    // a WebSocket. Only in development, only to the dev server's own origin.
    directives['script-src'] = ["'self'", "'unsafe-inline'", origin];
    directives['style-src'] = ["'self'", "'unsafe-inline'", origin];
    directives['connect-src'] = ["'self'", origin, ws];
    directives['img-src'] = [...(directives['img-src'] ?? []), origin];
  }
  return serialize(directives);
}

/**
 * Headers for a response: the CSP plus the usual hardening. Existing CSP headers (any casing) are
 * replaced, not merged, so a permissive header from elsewhere cannot widen the policy.
 */
export function securityHeaders(existing: Record<string, string[] | string> | undefined, mode: CspMode): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(existing ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') continue;
    headers[name] = Array.isArray(value) ? value : [value];
  }
  headers['Content-Security-Policy'] = [buildCsp(mode)];
  headers['X-Content-Type-Options'] = ['nosniff'];
  headers['Cross-Origin-Opener-Policy'] = ['same-origin'];
  return headers;
}

/** The origins the studio is served from: what IPC senders and navigations are checked against. */
export function trustedOrigins(mode: CspMode): string[] {
  return mode.kind === 'development' ? [APP_ORIGIN, new URL(mode.devServerUrl).origin] : [APP_ORIGIN];
}
