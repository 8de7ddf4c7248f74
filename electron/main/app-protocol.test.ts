import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL, mimeTypeFor, resolveAppRequest } from './app-protocol.ts';

const root = path.resolve('/srv/tessera/out/renderer');
const ok = (url: string) => {
  const r = resolveAppRequest(url, root);
  if (r.kind !== 'file') throw new Error(`refused ${url}: ${r.reason}`);
  return r;
};
const refused = (url: string) => {
  const r = resolveAppRequest(url, root);
  if (r.kind !== 'refused') throw new Error(`served ${url} as ${r.path}`);
  return r;
};

describe('resolveAppRequest', () => {
  it('serves index.html for the entry URL and for /', () => {
    expect(ok(APP_INDEX_URL).path).toBe(path.join(root, 'index.html'));
    expect(ok('app://tessera/').path).toBe(path.join(root, 'index.html'));
    expect(ok('app://tessera').path).toBe(path.join(root, 'index.html'));
  });

  it('serves nested assets with their MIME type, ignoring query and hash', () => {
    const r = ok('app://tessera/assets/index-abc.js?v=1#x');
    expect(r.path).toBe(path.join(root, 'assets', 'index-abc.js'));
    expect(r.mimeType).toMatch(/^text\/javascript/);
  });

  it('decodes percent-encoded names', () => {
    expect(ok('app://tessera/assets/a%20b.png').path).toBe(path.join(root, 'assets', 'a b.png'));
  });

  it.each([
    // The WHATWG parser folds these dot segments (even encoded ones) against the root.
    ['app://tessera/../etc/passwd', 'etc/passwd'],
    ['app://tessera/assets/../../secret', 'secret'],
    ['app://tessera/%2e%2e/secret', 'secret'],
    ['app://tessera/./index.html/%2e', 'index.html'],
  ])('clamps dot segments to the root: %s', (url, inside) => {
    expect(ok(url).path).toBe(path.join(root, inside));
  });

  it.each([
    'app://tessera/%2E%2E%2Fsecret',
    'app://tessera/assets/%2e%2e%2f%2e%2e%2fsecret',
    'app://tessera/..%2fsecret',
    'app://tessera/..%5csecret',
    'app://tessera/assets%5c..%5c..%5csecret',
    'app://tessera/C:%5cWindows%5cwin.ini',
    'app://tessera/c:/Windows/win.ini',
    'app://tessera/a%00.js',
    'app://tessera/%2fetc%2fpasswd',
    'app://tessera/%2e%2e%5c%2e%2e%5csecret',
  ])('refuses encoded traversal %s', (url) => {
    expect(refused(url).status).toBe(403);
  });

  it('never resolves outside the root, whatever the input (fuzz)', () => {
    const pieces = ['..', '.', '%2e%2e', '%2e', 'a', '%2f', '%5c', '\\', 'b.js', '%00', 'C:', '%25'];
    for (let i = 0; i < 3000; i++) {
      const n = 1 + (i % 5);
      const segs = Array.from({ length: n }, (_, k) => pieces[(i * 7 + k * 13 + (i >> 3)) % pieces.length]);
      const r = resolveAppRequest(`app://tessera/${segs.join('/')}`, root);
      if (r.kind === 'file') {
        const rel = path.relative(root, r.path);
        expect(rel.startsWith('..') || path.isAbsolute(rel)).toBe(false);
      }
    }
  });

  it('refuses other schemes, hosts, credentials and ports', () => {
    expect(refused('file:///etc/passwd').status).toBe(403);
    expect(refused('app://evil/index.html').status).toBe(403);
    expect(refused('https://tessera/index.html').status).toBe(403);
    expect(refused('app://user:pw@tessera/index.html').status).toBe(400);
    expect(refused('app://tessera:8080/index.html').status).toBe(403);
    expect(refused('not a url').status).toBe(400);
  });

  it('refuses malformed percent-encoding', () => {
    expect(refused('app://tessera/%E0%A4%A').status).toBe(400);
  });

  it('works with Windows path semantics too', () => {
    const winRoot = 'C:\\Tessera\\resources\\app.asar\\out\\renderer';
    const r = resolveAppRequest('app://tessera/assets/x.css', winRoot, path.win32);
    expect(r).toMatchObject({ kind: 'file', path: 'C:\\Tessera\\resources\\app.asar\\out\\renderer\\assets\\x.css' });
    expect(resolveAppRequest('app://tessera/..%5c..%5cx', winRoot, path.win32).kind).toBe('refused');
  });
});

describe('mimeTypeFor', () => {
  it('maps known extensions and defaults to octet-stream', () => {
    expect(mimeTypeFor('a/index.HTML')).toBe('text/html; charset=utf-8');
    expect(mimeTypeFor('x.wasm')).toBe('application/wasm');
    expect(mimeTypeFor('x.unknown')).toBe('application/octet-stream');
  });
});
