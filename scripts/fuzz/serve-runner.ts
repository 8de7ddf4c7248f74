/**
 * The serve door's runner. The server is a child process — `electron/serve/main.ts --no-build`
 * when the studio is built, else serve-entry.ts (the same startServe with a stub page) — so a crash
 * is an exit we can see, and its peak RSS is read per case from /proc. Each case is sent raw
 * (node:net) or, for protocol messages, over a ws client; then the server must still serve an
 * authenticated GET / and answer models.list on a fresh WebSocket. A dead server is restarted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import WebSocket from 'ws';
import { REPO } from './fixture.ts';
import { stackTraceLine } from './judge.ts';
import { peakMb, resetPeak } from './proc.ts';
import type { CaseResult, RawPart, ServeCase, Verdict } from './types.ts';

export type ServeMode = 'main' | 'stub';

export class ServeProcess {
  private child: ChildProcess | null = null;
  port = 0;
  readonly token = `fuzz-${randomBytes(12).toString('hex')}`;
  /** Everything the server printed since the last `takeOutput()`. */
  private output = '';
  exited: string | null = null;
  starts = 0;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly outDir: string,
    readonly mode: ServeMode = existsSync(path.join(REPO, 'renderer', 'dist', 'index.html')) ? 'main' : 'stub',
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return this.child !== null && this.exited === null;
  }

  takeOutput(): string {
    const out = this.output;
    this.output = '';
    return out;
  }

  async start(): Promise<void> {
    mkdirSync(this.outDir, { recursive: true });
    const entry = this.mode === 'main' ? ['electron/serve/main.ts', '--no-build'] : ['scripts/fuzz/serve-entry.ts'];
    const args = ['--import', 'tsx', ...entry, '--host', '127.0.0.1', '--port', '0', `--token=${this.token}`, '--models', path.join(REPO, 'assets', 'fixtures'), '--out', this.outDir, '--backend', 'cpu'];
    const env = { ...this.env, TESSERA_FUZZ_STUB_DIR: path.join(path.dirname(this.outDir), 'studio-stub') };
    const child = spawn(process.execPath, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = null;
    this.starts++;
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.on('exit', (code, signal) => {
      this.exited = signal ?? `code ${code}`;
    });
    this.port = await new Promise<number>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`serve did not start within 60 s: ${seen}${this.output}`)), 60_000);
      child.stdout?.on('data', (d: Buffer) => {
        const text = d.toString();
        this.output += text;
        seen += text;
        const m = /Tessera studio: http:\/\/[^:]+:(\d+)\//.exec(seen);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        reject(new Error(`serve exited while starting (${this.exited}): ${this.output.slice(-2000)}`));
      });
    });
    this.takeOutput();
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || this.exited !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  fill(text: string): string {
    return text.replaceAll('{{PORT}}', String(this.port)).replaceAll('{{TOKEN_UPPER}}', this.token.toUpperCase()).replaceAll('{{TOKEN}}', this.token);
  }
}

// ---------------------------------------------------------------- raw HTTP

interface HttpAnswer {
  status: number;
  body: string;
}

function rawHttp(port: number, parts: Buffer[], waitMs = 3000): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = data.toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: status ? Number(status[1]) : 0, body: split >= 0 ? text.slice(split + 4) : '' });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('connect', () => {
      for (const p of parts) socket.write(p);
    });
    socket.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
      const text = data.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return;
      if (/^HTTP\/1\.1 101/.test(text)) return finish();
      const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, split));
      if (length && data.length - (split + 4) >= Number(length[1])) finish();
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
  });
}

// ---------------------------------------------------------------- raw WebSocket

interface FramesAnswer {
  /** The first close code the server sent; 1005 for a close without a code; 0 = TCP closed without a close frame; null = still open. */
  closeCode: number | null;
  texts: string[];
}

/** Server frames (never masked) in `buf`: texts and the first close code. */
function parseServerFrames(buf: Buffer): { texts: string[]; closeCode: number | null } {
  const texts: string[] = [];
  let closeCode: number | null = null;
  let at = 0;
  while (at + 2 <= buf.length) {
    const opcode = (buf[at] as number) & 0x0f;
    let len = (buf[at + 1] as number) & 0x7f;
    let head = 2;
    if (len === 126) {
      if (at + 4 > buf.length) break;
      len = buf.readUInt16BE(at + 2);
      head = 4;
    } else if (len === 127) {
      if (at + 10 > buf.length) break;
      len = Number(buf.readBigUInt64BE(at + 2));
      head = 10;
    }
    if (at + head + len > buf.length) break;
    const payload = buf.subarray(at + head, at + head + len);
    if (opcode === 1) texts.push(payload.toString('utf8'));
    if (opcode === 8 && closeCode === null) closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
    at += head + len;
  }
  return { texts, closeCode };
}

function maskedText(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const mask = randomBytes(4);
  const head = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([head, mask, payload.map((b, i) => b ^ (mask[i % 4] as number))]);
}

function rawFrames(server: ServeProcess, frames: Uint8Array, waitMs: number): Promise<FramesAnswer & { handshake: number }> {
  return new Promise((resolve) => {
    const socket = net.connect(server.port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let upgraded = false;
    let done = false;
    let probed = false;
    let tcpClosed = false;
    const finish = (handshake = 101): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(probeTimer);
      socket.destroy();
      const frames = parseServerFrames(data);
      resolve({ handshake, texts: frames.texts, closeCode: frames.closeCode ?? (tcpClosed ? 0 : null) });
    };
    const timer = setTimeout(() => finish(), waitMs);
    let probeTimer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write(
        server.fill(
          'GET /ws?token={{TOKEN}} HTTP/1.1\r\nHost: 127.0.0.1:{{PORT}}\r\nOrigin: http://127.0.0.1:{{PORT}}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        ),
      );
    });
    socket.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
      if (!upgraded) {
        const split = data.indexOf('\r\n\r\n');
        if (split < 0) return;
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data.toString('latin1'))?.[1] ?? 0);
        if (status !== 101) return finish(status);
        upgraded = true;
        data = data.subarray(split + 4);
        socket.write(frames);
        // A connection that is still open shortly after must still answer: probe it with models.list.
        probeTimer = setTimeout(() => {
          if (done) return;
          probed = true;
          socket.write(maskedText('{"type":"models.list","id":"probe-after"}'));
        }, 300);
      }
      const parsed = parseServerFrames(data);
      if (parsed.closeCode !== null) finish();
      else if (probed && parsed.texts.some((t) => t.includes('"probe-after"'))) finish();
    });
    socket.on('end', () => {
      tcpClosed = true;
      finish();
    });
    socket.on('close', () => {
      tcpClosed = true;
      finish();
    });
    socket.on('error', () => {
      tcpClosed = true;
      finish();
    });
  });
}

// ---------------------------------------------------------------- ws client

interface MessageAnswer {
  reply: { ok: boolean; code: string | null } | null;
  closeCode: number | null;
  probeAnswered: boolean;
}

function wsUrl(server: ServeProcess): string {
  return `ws://127.0.0.1:${server.port}/ws?token=${server.token}`;
}

function wsMessage(server: ServeProcess, text: string, replyId: string | null, waitMs: number): Promise<MessageAnswer> {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl(server), { origin: `http://127.0.0.1:${server.port}`, maxPayload: 512 * 1024 * 1024 });
    const answer: MessageAnswer = { reply: null, closeCode: null, probeAnswered: false };
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ws.terminate();
      resolve(answer);
    };
    const timer = setTimeout(finish, waitMs);
    ws.on('open', () => {
      ws.send(text);
      // When no reply is owed, ask something that is: the socket must still work.
      if (replyId === null) setTimeout(() => ws.readyState === ws.OPEN && ws.send('{"type":"models.list","id":"probe-after"}'), 200);
    });
    ws.on('message', (data) => {
      let m: { type?: unknown; id?: unknown; ok?: unknown; error?: { code?: unknown } };
      try {
        m = JSON.parse(data.toString()) as typeof m;
      } catch {
        return;
      }
      if (m.type !== 'reply') return;
      if (m.id === 'probe-after') {
        answer.probeAnswered = true;
        finish();
      } else if (replyId === null || m.id === replyId) {
        answer.reply = { ok: m.ok === true, code: typeof m.error?.code === 'string' ? m.error.code : null };
        if (replyId !== null) finish();
      }
    });
    ws.on('close', (code) => {
      answer.closeCode = code;
      finish();
    });
    ws.on('error', () => finish());
  });
}

/** The server still works: the page with the token, and models.list on a fresh socket. */
export async function liveness(server: ServeProcess): Promise<string | null> {
  const page = await rawHttp(server.port, [Buffer.from(server.fill('GET /?token={{TOKEN}} HTTP/1.1\r\nHost: 127.0.0.1:{{PORT}}\r\nConnection: close\r\n\r\n'))], 5000);
  if (page.status !== 200) return `GET / answered ${page.status || 'nothing'}`;
  const list = await wsMessage(server, '{"type":"models.list","id":"alive"}', 'alive', 10_000);
  if (!list.reply?.ok) return `models.list on a fresh socket: ${list.reply ? `error ${list.reply.code}` : list.closeCode !== null ? `closed ${list.closeCode}` : 'no reply'}`;
  return null;
}

// ---------------------------------------------------------------- one case

function toBuffer(part: RawPart, server: ServeProcess): Buffer {
  return typeof part === 'string' ? Buffer.from(server.fill(part), 'utf8') : Buffer.from(part);
}

export async function runServeCase(c: ServeCase, server: ServeProcess): Promise<CaseResult> {
  if (!server.alive) await server.start();
  const pid = server.pid as number;
  resetPeak(pid);
  server.takeOutput();
  const t0 = performance.now();
  let verdict: Verdict = 'handled';
  let detail = '';
  const fail = (v: Verdict, d: string): void => {
    if (verdict === 'handled') {
      verdict = v;
      detail = d;
    }
  };
  if (c.kind === 'http') {
    const answer = await rawHttp(server.port, c.request.map((p) => toBuffer(p, server)));
    const leak = c.expect.bodyMustNotContain.find((s) => answer.body.includes(s));
    if (leak) fail('unclear', `LEAK: the response contains "${leak}"`);
    else if (!c.expect.statuses.includes(answer.status)) fail('unclear', `status ${answer.status || 'none (connection closed)'}, expected ${c.expect.statuses.join('/')}`);
    else detail = `status ${answer.status || 'none'}`;
  } else if (c.kind === 'frames') {
    const answer = await rawFrames(server, c.frames, Math.min(c.expect.timeoutMs, 5000));
    if (answer.handshake !== 101) fail('unclear', `handshake answered ${answer.handshake}`);
    else if (answer.closeCode === null ? !c.expect.mayStayOpen : !c.expect.closeCodes.includes(answer.closeCode)) {
      fail('unclear', `${answer.closeCode === null ? 'no close' : answer.closeCode === 0 ? 'TCP closed without a close frame' : `close ${answer.closeCode}`}, expected ${c.expect.closeCodes.join('/') || 'open'}`);
    } else detail = answer.closeCode === null ? 'stayed open, answered' : `close ${answer.closeCode}`;
  } else {
    const e = c.expect;
    const answer = await wsMessage(server, c.text, e.replyId, e.timeoutMs);
    const reply = answer.reply;
    if (reply && reply.ok && !e.okAllowed) fail('unclear', 'a successful reply to a bad request');
    else if (reply && !reply.ok && !e.errorCodes.includes(reply.code as (typeof e.errorCodes)[number])) fail('unclear', `reply ${reply.code}, expected ${e.errorCodes.join('/')}`);
    else if (!reply && answer.closeCode !== null && !e.closeCodes.includes(answer.closeCode)) fail('unclear', `closed ${answer.closeCode}, expected ${e.replyId ? 'a reply' : 'nothing'}${e.closeCodes.length ? ` or close ${e.closeCodes.join('/')}` : ''}`);
    else if (e.replyId !== null && !reply && answer.closeCode === null) fail('hang', `no reply to ${e.replyId} within ${e.timeoutMs} ms`);
    else if (e.replyId === null && !reply && answer.closeCode === null && !answer.probeAnswered) fail('hang', 'the socket stopped answering');
    else detail = reply ? (reply.ok ? 'reply ok' : `reply ${reply.code}`) : answer.closeCode !== null ? `close ${answer.closeCode}` : 'no reply owed; socket still answers';
  }
  const peak = peakMb(pid);
  const alive = server.alive ? await liveness(server) : 'the server process exited';
  // A server that just crashed may not have been reaped yet: give its exit a moment to arrive.
  for (let i = 0; alive !== null && server.alive && i < 20; i++) await new Promise((r) => setTimeout(r, 50));
  const log = server.takeOutput();
  if (!server.alive) {
    verdict = 'crash';
    detail = `the server died (${server.exited}): ${log.trim().split('\n').slice(-4).join(' | ').slice(0, 300)}`;
  } else if (alive !== null) {
    verdict = 'hang';
    detail = `the server stopped answering: ${alive}`;
    await server.stop();
  } else if (peak !== null && peak > c.expect.maxRssMb) fail('memory', `peak ${peak.toFixed(0)} MB > ${c.expect.maxRssMb} MB`);
  const stack = stackTraceLine(log);
  if (stack) fail('unclear', `stack trace in the server log: ${stack}`);
  return { id: c.id, door: 'serve', category: c.category, what: c.what, via: 'server', verdict, detail, ms: performance.now() - t0, peakRssMb: peak };
}
