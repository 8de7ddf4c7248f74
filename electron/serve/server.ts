/**
 * Serve mode: the studio in a browser, the engine in a supervised child process
 * (supervised-engine.ts), so a native abort or an out-of-memory in a job cannot take the server
 * and every page down. node:http serves the built renderer; a WebSocket at /ws carries
 * shared/protocol messages (JSON via shared/wire.ts) to an engine host. One engine (one model
 * cache, one job queue) is shared by all connections; each connection gets its own host so
 * replies and events go back to the page that asked.
 *
 * Security: binds 127.0.0.1 unless told otherwise; every HTTP request and the socket need the
 * random token (query or the HttpOnly cookie set from it), compared in constant time; the socket
 * needs a same-origin Origin; loopback binds reject foreign Host headers (DNS rebinding); every
 * message is parsed with zod before it reaches the host; batch output is confined to --out.
 */
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { TesseraError, toErrorPayload } from '../../shared/errors.ts';
import { describeIssues } from '../../shared/manifest.ts';
import { RequestSchema, type Backend, type EngineMessage, type Request } from '../../shared/protocol.ts';
import { redactQueueUrl } from '../../shared/queue-target.ts';
import { decodeWire, encodeWire } from '../../shared/wire.ts';
import { resolveBatchOutDir } from './batch-out.ts';
import { spawnEngineChild, type EngineChild } from './engine-child.ts';
import { removeInstanceRecord, writeInstanceRecord } from './instance-record.ts';
import { listenWithFallback } from './listen.ts';
import { buildRenderer, DEFAULT_RENDERER_DIR, rendererBuilt } from './renderer-build.ts';
import { COOKIE_NAME, generateToken, hostAllowed, originAllowed, securityHeaders, tokenFromCookie, tokensEqual } from './security.ts';
import { readStatic } from './static-files.ts';
import { createSupervisedEngine } from './supervised-engine.ts';
import { looksLikePath } from '../../engine/node/bundle-catalog.ts';
import type { TlsMaterial } from './tls.ts';

/** What serve mode needs from a connection's engine host (supervised-engine.ts's proxy to the child). */
export interface ServeHost {
  handle(message: unknown): void;
  dispose(): Promise<void>;
}

export interface ServeEngine {
  cancel(jobId: string): boolean;
  dispose(): Promise<void>;
  /** An engine that makes its own connection hosts (the supervised child); createHost is then not needed. */
  connect?(send: (message: EngineMessage) => void): ServeHost;
  /** The engine process's pid, when the engine runs in one. */
  pid?(): number | undefined;
}

export interface ServeOptions {
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 4780; 0 = a random free port). */
  port?: number;
  /** The URL token (default: random). */
  token?: string;
  /** Extra model folders (besides the embedded ones and TESSERA_MODELS_DIR). */
  modelDirs?: string[];
  /** Batch output root on this machine (default ~/Tessera/batches). */
  outDir?: string;
  /** Redis queues (URLs) a page may send batches to or ask about (`--queue`); none by default, so a page cannot make this machine connect elsewhere. */
  queues?: string[];
  backend?: Backend;
  rendererDir?: string;
  /** Build the renderer if it is missing (default true). */
  build?: boolean;
  log?: (line: string) => void;
  /** Serve HTTPS/WSS with this certificate (a remote engine: the token must not cross the network in clear). */
  tls?: TlsMaterial;
  /** When the port is busy, take a free one instead of failing (the launcher's default port). */
  portFallback?: boolean;
  /** Write the running studio's URL here (0600) so a second `npm start` can open it; removed on close. */
  instanceRecordFile?: string;
  /** Test seam: the engine and per-connection hosts (default: the real engine in a supervised child process). */
  createEngine?: () => Promise<ServeEngine>;
  createHost?: (send: (message: EngineMessage) => void, engine: ServeEngine) => Promise<ServeHost>;
}

export interface ServeHandle {
  url: string;
  host: string;
  port: number;
  token: string;
  outDir: string;
  /** The busy port asked for, when `portFallback` moved the studio to another. */
  busyPort?: number;
  /** Set when serving HTTPS: the certificate's SHA-256 fingerprint, to check against the browser's. */
  tlsFingerprint?: string;
  /** The engine child's pid (undefined while it restarts, or with a test engine): tests kill it. */
  enginePid(): number | undefined;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 4780;
/** A batch of 1000 layouts at 1024×1024 is ~1.4 GB of base64; keep a sane ceiling per message. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
/** Previews are dropped (never replies or final events) when a slow client falls this far behind. */
const PREVIEW_BACKLOG_BYTES = 16 * 1024 * 1024;

function defaultEngine(options: ServeOptions, log: (line: string) => void): ServeEngine {
  // The child also reads TESSERA_MODELS_DIR, TESSERA_CACHE_DIR and TESSERA_LOG from this environment.
  const spawn = (): EngineChild => spawnEngineChild({ embeddedDirs: [], modelDirs: options.modelDirs ?? [], backend: options.backend ?? 'auto', env: process.env, log });
  return createSupervisedEngine({ spawn, log });
}

async function defaultHost(send: (message: EngineMessage) => void, engine: ServeEngine): Promise<ServeHost> {
  if (!engine.connect) throw new Error('This engine cannot make connection hosts: pass createHost along with createEngine.');
  return engine.connect(send);
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return os.hostname();
  return host.includes(':') ? `[${host}]` : host;
}

const UNAUTHORISED_PAGE = `<!doctype html><meta charset="utf-8"><title>Tessera</title><body style="font:14px system-ui;background:#0d0f13;color:#e6e9ef;padding:40px">
<h1 style="font-size:18px">Tessera needs its access token</h1><p>Open the full address that <code>npm run serve</code> printed (it ends in <code>?token=…</code>).</p></body>`;

export async function startServe(options: ServeOptions = {}): Promise<ServeHandle> {
  const log = options.log ?? ((line: string) => console.log(line));
  const bindHost = options.host ?? '127.0.0.1';
  const token = options.token ?? generateToken();
  const rendererDir = options.rendererDir ?? DEFAULT_RENDERER_DIR;
  const outRoot = path.resolve(options.outDir ?? path.join(os.homedir(), 'Tessera', 'batches'));
  if (!rendererBuilt(rendererDir)) {
    if (options.build === false) throw new Error(`The studio is not built (${rendererDir}); run npm run build.`);
    await buildRenderer(log);
  }
  const engine = await (options.createEngine ? options.createEngine() : defaultEngine(options, log));
  const makeHost = options.createHost ?? defaultHost;

  const authorised = (req: http.IncomingMessage, url: URL): boolean => tokensEqual(token, url.searchParams.get('token')) || tokensEqual(token, tokenFromCookie(req.headers.cookie));

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    void (async () => {
      const hostHeader = req.headers.host ?? '';
      const headers = securityHeaders(hostHeader);
      const url = new URL(req.url ?? '/', 'http://serve.invalid');
      if (!hostAllowed(req.headers.host, bindHost)) {
        res.writeHead(421, { ...headers, 'Content-Type': 'text/plain' }).end('Misdirected request');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
        return;
      }
      if (!authorised(req, url)) {
        res.writeHead(401, { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(UNAUTHORISED_PAGE);
        return;
      }
      const file = await readStatic(rendererDir, url.pathname);
      if (!file) {
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('Not found');
        return;
      }
      const extra: Record<string, string> = {
        'Content-Type': file.type,
        'Cache-Control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-store',
      };
      // The page's own requests then authenticate by cookie; HttpOnly keeps it away from scripts.
      if (tokensEqual(token, url.searchParams.get('token'))) extra['Set-Cookie'] = `${COOKIE_NAME}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/${options.tls ? '; Secure' : ''}`;
      res.writeHead(200, { ...headers, ...extra });
      res.end(req.method === 'HEAD' ? undefined : file.body);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`Internal error: ${error instanceof Error ? error.message : String(error)}`);
    });
  };
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, onRequest) : http.createServer(onRequest);

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const connections = new Set<{ socket: WebSocket; host: Promise<ServeHost>; jobs: Set<string> }>();

  // A transport error (a reset, a malformed request line) concerns one client: end that socket and
  // keep serving. Without these listeners Node turns the 'error' into an uncaught exception.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    if (socket.writable && error.code !== 'ECONNRESET') socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  });
  wss.on('wsClientError', (error, socket) => {
    log(`serve: refused a WebSocket handshake: ${error.message}`);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://serve.invalid');
    const refuse = (status: string): void => {
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (url.pathname !== '/ws') return refuse('404 Not Found');
    if (!hostAllowed(req.headers.host, bindHost)) return refuse('421 Misdirected Request');
    if (!originAllowed(req.headers.origin, req.headers.host)) return refuse('403 Forbidden');
    if (!tokensEqual(token, url.searchParams.get('token')) && !tokensEqual(token, tokenFromCookie(req.headers.cookie))) return refuse('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function onConnection(socket: WebSocket): void {
    const send = (message: EngineMessage): void => {
      // A job that ended needs no cancelling when the page leaves: keep the set to running jobs.
      if (message.type === 'job.finished' || message.type === 'job.failed') connection.jobs.delete(message.jobId);
      if (socket.readyState !== socket.OPEN) return;
      if (message.type === 'job.windowCompleted' && socket.bufferedAmount > PREVIEW_BACKLOG_BYTES) return;
      socket.send(encodeWire(message));
    };
    const connection = { socket, host: makeHost(send, engine), jobs: new Set<string>() };
    connections.add(connection);
    const replyError = (id: string, error: unknown): void => send({ type: 'reply', id, ok: false, error: toErrorPayload(error) });

    // ws has already answered a protocol violation (invalid UTF-8: 1007, over maxPayload: 1009,
    // bad opcode or unmasked frame: 1002) with the right close code and is tearing the socket down;
    // the event only needs a listener so that it stays this client's problem.
    socket.on('error', (error: Error & { code?: string }) => {
      log(`serve: closed a WebSocket after a protocol error (${error.code ?? 'error'}: ${error.message})`);
    });

    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        socket.close(1003, 'text frames only');
        return;
      }
      let raw: unknown;
      try {
        raw = decodeWire(data.toString());
      } catch {
        socket.close(1007, 'not JSON');
        return;
      }
      const parsed = RequestSchema.safeParse(raw);
      if (!parsed.success) {
        const id = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'string' ? raw.id : null;
        if (id) send({ type: 'reply', id, ok: false, error: { code: 'BAD_REQUEST', message: `Not a valid request: ${describeIssues(parsed.error)}` } });
        return;
      }
      let request: Request = parsed.data;
      const queueUrl = request.type === 'queue.status' ? request.url : request.type === 'job.batch' ? request.queue?.url : undefined;
      if (queueUrl !== undefined && !(options.queues ?? []).includes(queueUrl)) {
        replyError(request.id, new TesseraError('BAD_REQUEST', `Serve mode connects only to the Redis queues it was started with; restart it with --queue ${redactQueueUrl(queueUrl)} to use this one.`));
        return;
      }
      if (request.type === 'job.batch') {
        try {
          const outDir = resolveBatchOutDir(outRoot, request.outDir);
          mkdirSync(outDir, { recursive: true });
          request = { ...request, outDir };
        } catch (error) {
          replyError(request.id, error);
          return;
        }
      }
      // Pages name models by id, as models.list gives them. A path would let any page holding the
      // token load, or probe for, folders anywhere this server can read: refused, saying nothing of
      // what is there.
      if ('model' in request && looksLikePath(request.model)) {
        replyError(request.id, new TesseraError('MODEL_NOT_FOUND', 'Serve mode loads models by id (as models.list names them), not by path. To use a bundle folder, restart serve mode with --models <the folder that holds it>.'));
        return;
      }
      // Job ids come from the pages, and the engine is shared: a page may cancel only the jobs it
      // started. Another page's job (a guessed or colliding id) is not its to stop.
      if (request.type === 'job.cancel' && !connection.jobs.has(request.jobId)) {
        send({ type: 'reply', id: request.id, ok: true, value: { cancelled: false } });
        return;
      }
      if ('jobId' in request && request.type !== 'job.cancel') connection.jobs.add(request.jobId);
      void connection.host.then(
        (host) => host.handle(request),
        (error: unknown) => replyError(request.id, error),
      );
    });

    socket.on('close', () => {
      connections.delete(connection);
      // A closed page cannot see its results: stop its jobs instead of burning the GPU.
      for (const jobId of connection.jobs) engine.cancel(jobId);
      void connection.host.then((h) => h.dispose()).catch(() => undefined);
    });
  }

  let bound: Awaited<ReturnType<typeof listenWithFallback>>;
  try {
    bound = await listenWithFallback(server, options.port ?? DEFAULT_PORT, bindHost, options.portFallback === true);
  } catch (error) {
    await engine.dispose();
    throw error;
  }
  const port = bound.port;
  const url = `${options.tls ? 'https' : 'http'}://${displayHost(bindHost)}:${port}/?token=${encodeURIComponent(token)}`;
  if (options.instanceRecordFile) await writeInstanceRecord(options.instanceRecordFile, url);

  let closing: Promise<void> | null = null;
  return {
    url,
    host: bindHost,
    port,
    token,
    outDir: outRoot,
    ...(bound.busyPort !== undefined ? { busyPort: bound.busyPort } : {}),
    ...(options.tls ? { tlsFingerprint: options.tls.fingerprint256 } : {}),
    enginePid: () => engine.pid?.(),
    close() {
      closing ??= (async () => {
        if (options.instanceRecordFile) await removeInstanceRecord(options.instanceRecordFile);
        for (const c of connections) c.socket.terminate();
        wss.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.allSettled([...connections].map(async (c) => (await c.host).dispose()));
        await engine.dispose();
      })();
      return closing;
    },
  };
}
