// A plain static file server for the static build's e2e (no Tessera code in it): GET/HEAD of files
// under one folder, with the few MIME types the build needs, and a log of every request it saw.
// Optional COOP/COEP headers make the page cross-origin isolated (multi-threaded WASM).
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
};

/** Serves `roots` (the first that has the file wins) on 127.0.0.1 and a random port. */
export async function startStaticServer(roots, { isolated = false } = {}) {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url });
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const rel = path.normalize(pathname === '/' ? '/index.html' : pathname).replace(/^([/\\])+/, '');
    if (rel.startsWith('..') || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(rel.startsWith('..') ? 403 : 405).end();
      return;
    }
    for (const root of roots) {
      const file = path.join(root, rel);
      let info;
      try {
        info = statSync(file);
      } catch {
        continue;
      }
      if (!info.isFile()) continue;
      const headers = { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': info.size, 'cache-control': 'no-cache' };
      if (isolated) Object.assign(headers, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
      res.writeHead(200, headers);
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
