/**
 * The `app://` scheme that serves the built renderer in production. `file://` would give every
 * page the whole disk as its origin; a custom standard scheme gives the studio one origin
 * (app://tessera) and lets main decide, file by file, what may be read. This module is the
 * decision: URL in, file path (inside the root) or a refusal out. No Electron here, so it is
 * unit-tested directly; electron/main/protocol.ts wires it to `protocol.handle`.
 */
import path from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'tessera';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

export type AppResolution =
  | { kind: 'file'; path: string; mimeType: string }
  | { kind: 'refused'; status: 400 | 403 | 404; reason: string };

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function mimeTypeFor(filePath: string): string {
  return MIME_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps `app://tessera/<path>` to a file under `rootDir`, or refuses. Defences, each tested:
 * wrong scheme/host; percent-encoded separators, dots and NUL (decoded before checking, so
 * `%2e%2e%2f` cannot smuggle `../`); backslashes and drive letters (Windows would honour them);
 * any `..` or `.` segment; and, last, a containment check of the resolved path against the root.
 * Symlinks inside the root are the packager's concern (asar has none).
 */
export function resolveAppRequest(requestUrl: string, rootDir: string, pathImpl: typeof path = path): AppResolution {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { kind: 'refused', status: 400, reason: 'not a URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) {
    return { kind: 'refused', status: 403, reason: `only ${APP_ORIGIN} is served` };
  }
  if (url.username || url.password || url.port) return { kind: 'refused', status: 400, reason: 'credentials or port in URL' };

  // The WHATWG parser already folds `/a/../b`; what is left is the raw, still-encoded path.
  const rawSegments = url.pathname.split('/').slice(1);
  const segments: string[] = [];
  for (const raw of rawSegments) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { kind: 'refused', status: 400, reason: 'malformed percent-encoding' };
    }
    if (segment === '') continue;
    if (segment === '.' || segment === '..') return { kind: 'refused', status: 403, reason: 'dot segment' };
    if (/[/\\\0]/.test(segment)) return { kind: 'refused', status: 403, reason: 'separator or NUL inside a segment' };
    if (/^[A-Za-z]:/.test(segment)) return { kind: 'refused', status: 403, reason: 'drive letter' };
    segments.push(segment);
  }
  if (segments.length === 0) segments.push('index.html');

  const root = pathImpl.resolve(rootDir);
  const resolved = pathImpl.resolve(root, ...segments);
  const relative = pathImpl.relative(root, resolved);
  if (relative === '' || relative.startsWith('..') || pathImpl.isAbsolute(relative)) {
    return { kind: 'refused', status: 403, reason: 'outside the app root' };
  }
  return { kind: 'file', path: resolved, mimeType: mimeTypeFor(resolved) };
}
