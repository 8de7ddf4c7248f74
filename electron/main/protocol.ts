/**
 * Wires app-protocol.ts to Electron: the scheme is registered as privileged (standard + secure,
 * so it gets a real origin, secure-context APIs and fetch) before `ready`, and handled per
 * session with security headers on every response. Files are read with fs (asar-aware in
 * Electron), never by forwarding to file://.
 */
import { promises as fs } from 'node:fs';
import { protocol, type Session } from 'electron';
import { ABOUT_CSS } from './about.ts';
import { APP_SCHEME, resolveAppRequest } from './app-protocol.ts';
import { securityHeaders, type CspMode } from './csp.ts';

export function registerAppSchemeAsPrivileged(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

export const ABOUT_PATHNAME = '/__about__';

function respond(body: ConstructorParameters<typeof Response>[0], status: number, contentType: string, csp: CspMode): Response {
  const headers = securityHeaders({ 'Content-Type': contentType }, csp);
  const flat = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.join(', ')]));
  return new Response(body, { status, headers: flat });
}

export function handleAppProtocol(session: Session, rootDir: string, csp: CspMode, aboutHtml: () => Promise<string>, log: (line: string) => void): void {
  session.protocol.handle(APP_SCHEME, async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === ABOUT_PATHNAME) return respond(await aboutHtml(), 200, 'text/html; charset=utf-8', csp);
    if (pathname === `${ABOUT_PATHNAME}.css`) return respond(ABOUT_CSS, 200, 'text/css; charset=utf-8', csp);

    const resolution = resolveAppRequest(request.url, rootDir);
    if (resolution.kind === 'refused') {
      log(`[protocol] ${resolution.status} ${request.url}: ${resolution.reason}`);
      return respond(resolution.reason, resolution.status, 'text/plain; charset=utf-8', csp);
    }
    try {
      const bytes = await fs.readFile(resolution.path);
      return respond(new Uint8Array(bytes), 200, resolution.mimeType, csp);
    } catch {
      return respond('not found', 404, 'text/plain; charset=utf-8', csp);
    }
  });
}
