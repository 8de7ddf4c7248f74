/**
 * The serve door: raw HTTP requests, raw WebSocket frames and protocol messages against a real
 * serve-mode server. Requests are bytes with `{{PORT}}` and `{{TOKEN}}` filled in at run time, so
 * nothing here is normalised by an HTTP or WebSocket client on the way out (ws refuses to send a
 * malformed frame; node:http rewrites headers). After every case the runner checks that the server
 * still serves the page and answers models.list on a fresh socket.
 */
import fc from 'fast-check';
import type { ErrorCode } from '../../shared/errors.ts';
import { encodeWire } from '../../shared/wire.ts';
import { concat } from './png-bytes.ts';
import type { Rng } from './rng.ts';
import type { FramesExpect, HttpExpect, MessageExpect, RawPart, ServeCase } from './types.ts';

/** The serve process idles at ~120–200 MB; a case may take it this far (a 20 MB message is parsed twice). */
export const SERVE_MAX_RSS_MB = 768;
const TIMEOUT_MS = 10_000;
const HOST = '127.0.0.1:{{PORT}}';
const ORIGIN = 'http://127.0.0.1:{{PORT}}';
/** The fixture's model id: serve runs with --models assets/fixtures, so jobs on it fail or finish fast. */
export const SERVE_MODEL = 'tessera-tiny-fixture';

const http = (statuses: number[], bodyMustNotContain: string[] = []): HttpExpect => ({ statuses, bodyMustNotContain, maxRssMb: SERVE_MAX_RSS_MB, timeoutMs: TIMEOUT_MS });

function request(method: string, target: string, headers: Array<[string, string]>, body = ''): string {
  return `${method} ${target} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`;
}

const base = (extra: Array<[string, string]> = []): Array<[string, string]> => [['Host', HOST], ['Connection', 'close'], ...extra];

/** Leaks that a traversal must never produce: /etc/passwd and the repository's own files. */
const LEAKS = ['root:', '"name": "tessera-studio"', 'PRIVATE KEY'];

function httpCases(rng: Rng): ServeCase[] {
  const out: ServeCase[] = [];
  const add = (category: string, what: string, parts: RawPart[], expect: HttpExpect): void => {
    out.push({ door: 'serve', kind: 'http', id: '', category, what, request: parts, expect });
  };
  add('control', 'GET / with the token', [request('GET', '/?token={{TOKEN}}', base())], http([200]));

  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'FOO', 'get']) {
    add('method', `${method} / with the token`, [request(method, '/?token={{TOKEN}}', base([['Content-Length', '0']]))], http([405, 400]));
  }
  add('method', 'CONNECT to another host', [request('CONNECT', 'evil.example:443', base())], http([400, 405, 0]));
  add('method', 'POST with a 1 MB body', [request('POST', '/?token={{TOKEN}}', base([['Content-Length', String(1024 * 1024)]]), 'x'.repeat(1024 * 1024))], http([405, 400, 413, 0]));

  const traversal = [
    '/../../../../etc/passwd',
    '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/..%2f..%2f..%2f..%2fetc%2fpasswd',
    '/%252e%252e/%252e%252e/etc/passwd',
    '/assets/../../package.json',
    '/assets/..%2f..%2f..%2fpackage.json',
    '/..\\..\\..\\etc\\passwd',
    '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
    '/%00',
    '/index.html%00.png',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
    '/%',
    '/%zz',
    `/${'a/'.repeat(2000)}`,
    '/....//....//etc/passwd',
    '/.%2e/.%2e/package.json',
    '/assets/%2e%2e%5c%2e%2e%5cpackage.json',
  ];
  for (const path of traversal) {
    const joiner = path.includes('?') ? '&' : '?';
    add('traversal', `GET ${path.length > 50 ? `${path.slice(0, 30)}…` : path}`, [request('GET', `${path}${joiner}token={{TOKEN}}`, base())], http([404, 400], LEAKS));
  }
  add('traversal', 'absolute-form target http://evil.example/etc/passwd', [request('GET', 'http://evil.example/etc/passwd?token={{TOKEN}}', base())], http([404, 400, 421], LEAKS));

  const tokens: Array<[string, string, Array<[string, string]>]> = [
    ['no token', '/', []],
    ['a wrong token', '/?token=wrong-wrong-wrong-wrong', []],
    ['an empty token', '/?token=', []],
    ['the token upper-cased', '/?token={{TOKEN_UPPER}}', []],
    ['the token plus one character', '/?token={{TOKEN}}x', []],
    ['an 8 KB token', `/?token=${'t'.repeat(8000)}`, []],
    ['the token twice, first one wrong', '/?token=wrong&token={{TOKEN}}', []],
    ['a wrong cookie', '/', [['Cookie', 'tessera_token=wrong']]],
    ['a cookie for another name', '/', [['Cookie', 'other_token={{TOKEN}}']]],
    ['a malformed cookie header', '/', [['Cookie', ';;;==;tessera_token']]],
    ['a cookie with bad percent-encoding', '/', [['Cookie', 'tessera_token=%E0%A4%A']]],
    ['a cookie with a lone %', '/', [['Cookie', 'tessera_token=%']]],
    ['a 4 KB cookie', '/', [['Cookie', `tessera_token=${'c'.repeat(4000)}`]]],
  ];
  for (const [what, target, headers] of tokens) add('token', `GET with ${what}`, [request('GET', target, base(headers))], http([401, 400]));

  const hosts: Array<[string, string | null, number[]]> = [
    ['evil.example', 'evil.example', [421]],
    ['127.evil.example:PORT', '127.evil.example:{{PORT}}', [421]],
    ['127.0.0.1.nip.io', '127.0.0.1.nip.io:{{PORT}}', [421]],
    ['localhost.evil.example', 'localhost.evil.example', [421]],
    ['[::1].evil.example', '[::1].evil.example', [421, 400]],
    ['0x7f000001', '0x7f000001:{{PORT}}', [421]],
    ['2130706433', '2130706433:{{PORT}}', [421]],
    ['127.1', '127.1:{{PORT}}', [421]],
    ['127.0.0.01 (leading zero)', '127.0.0.01:{{PORT}}', [421]],
    ['evil.example with a user part', '127.0.0.1@evil.example', [421, 400]],
    ['an empty Host', '', [421, 400]],
    ['no Host header', null, [400, 421]],
    ['a 6 KB Host', 'h'.repeat(6000), [421, 400]],
  ];
  for (const [what, host, statuses] of hosts) {
    const headers: Array<[string, string]> = host === null ? [['Connection', 'close']] : [['Host', host], ['Connection', 'close']];
    add('host', `Host: ${what}`, [request('GET', '/?token={{TOKEN}}', headers)], http(statuses));
  }
  add('host', 'two Host headers, the second foreign', [request('GET', '/?token={{TOKEN}}', [['Host', HOST], ['Host', 'evil.example'], ['Connection', 'close']])], http([200, 400, 421]));
  add('host', 'Host: LOCALHOST:PORT (legal)', [request('GET', '/?token={{TOKEN}}', [['Host', 'LOCALHOST:{{PORT}}'], ['Connection', 'close']])], http([200, 421]));

  // WebSocket handshakes that must be refused.
  const upgrade = (target: string, headers: Array<[string, string]>): string =>
    request('GET', target, [['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Version', '13'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='], ...headers]);
  const handshakes: Array<[string, string, Array<[string, string]>, number[]]> = [
    ['Origin evil.example', '/ws?token={{TOKEN}}', [['Host', HOST], ['Origin', 'http://evil.example']], [403]],
    ['Origin null', '/ws?token={{TOKEN}}', [['Host', HOST], ['Origin', 'null']], [403]],
    ['no Origin', '/ws?token={{TOKEN}}', [['Host', HOST]], [403]],
    ['Origin on another port', '/ws?token={{TOKEN}}', [['Host', HOST], ['Origin', 'http://127.0.0.1:1']], [403]],
    ['Origin file://', '/ws?token={{TOKEN}}', [['Host', HOST], ['Origin', 'file://']], [403]],
    ['Origin https://127.0.0.1.evil.example', '/ws?token={{TOKEN}}', [['Host', HOST], ['Origin', 'https://127.0.0.1.evil.example']], [403]],
    ['foreign Host 127.evil.example', '/ws?token={{TOKEN}}', [['Host', '127.evil.example:{{PORT}}'], ['Origin', 'http://127.evil.example:{{PORT}}']], [421]],
    ['no token', '/ws', [['Host', HOST], ['Origin', ORIGIN]], [401]],
    ['a wrong token', '/ws?token=nope-nope-nope-nope', [['Host', HOST], ['Origin', ORIGIN]], [401]],
    ['no token, a cookie with bad percent-encoding', '/ws', [['Host', HOST], ['Origin', ORIGIN], ['Cookie', 'tessera_token=%E0%A4%A']], [401, 400]],
    ['another path', '/wss?token={{TOKEN}}', [['Host', HOST], ['Origin', ORIGIN]], [404]],
    ['a path with traversal', '/ws/../ws?token={{TOKEN}}', [['Host', HOST], ['Origin', ORIGIN]], [101, 404]],
  ];
  for (const [what, target, headers, statuses] of handshakes) add('handshake', `upgrade with ${what}`, [upgrade(target, headers)], http(statuses));
  const badUpgrade: Array<[string, string]> = [
    ['without Sec-WebSocket-Key', request('GET', '/ws?token={{TOKEN}}', [['Host', HOST], ['Origin', ORIGIN], ['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Version', '13']])],
    ['with Sec-WebSocket-Version 7', request('GET', '/ws?token={{TOKEN}}', [['Host', HOST], ['Origin', ORIGIN], ['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Version', '7'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==']])],
    ['with a short key', request('GET', '/ws?token={{TOKEN}}', [['Host', HOST], ['Origin', ORIGIN], ['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Version', '13'], ['Sec-WebSocket-Key', 'abc']])],
    ['with Upgrade: h2c', request('GET', '/ws?token={{TOKEN}}', [['Host', HOST], ['Origin', ORIGIN], ['Connection', 'Upgrade'], ['Upgrade', 'h2c']])],
    ['as POST', request('POST', '/ws?token={{TOKEN}}', [['Host', HOST], ['Origin', ORIGIN], ['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Version', '13'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='], ['Content-Length', '0']])],
  ];
  for (const [what, raw] of badUpgrade) add('handshake', `upgrade ${what}`, [raw], http([400, 405, 426, 0]));

  // Oversize and malformed requests.
  add('headers-oversize', 'a 20 KB header', [request('GET', '/?token={{TOKEN}}', base([['X-Big', 'b'.repeat(20 * 1024)]]))], http([431, 400, 0]));
  add('headers-oversize', 'a 100 KB cookie', [request('GET', '/', base([['Cookie', `tessera_token=${'c'.repeat(100 * 1024)}`]]))], http([431, 400, 0]));
  add('headers-oversize', '3,000 headers', [request('GET', '/?token={{TOKEN}}', base(Array.from({ length: 3000 }, (_, i) => [`X-H${i}`, 'v'] as [string, string])))], http([431, 400, 0]));
  add('headers-oversize', 'a 100 KB request line', [request('GET', `/?token={{TOKEN}}&${'q'.repeat(100 * 1024)}`, base())], http([414, 431, 400, 0]));
  const malformed: Array<[string, RawPart[]]> = [
    ['random bytes', [rng.bytes(512)]],
    ['an HTTP/0.9 request', ['GET /\r\n\r\n']],
    ['HTTP/9.9', ['GET /?token={{TOKEN}} HTTP/9.9\r\nHost: 127.0.0.1:{{PORT}}\r\nConnection: close\r\n\r\n']],
    ['LF-only line ends', ['GET /?token={{TOKEN}} HTTP/1.1\nHost: 127.0.0.1:{{PORT}}\nConnection: close\n\n']],
    ['a header without a colon', ['GET /?token={{TOKEN}} HTTP/1.1\r\nHost: 127.0.0.1:{{PORT}}\r\nNoColonHere\r\nConnection: close\r\n\r\n']],
    ['a space before the colon', ['GET /?token={{TOKEN}} HTTP/1.1\r\nHost : 127.0.0.1:{{PORT}}\r\nConnection: close\r\n\r\n']],
    ['a NUL in a header value', ['GET /?token={{TOKEN}} HTTP/1.1\r\nHost: 127.0.0.1:{{PORT}}\r\nX-A: a\u0000b\r\nConnection: close\r\n\r\n']],
    ['Content-Length and Transfer-Encoding together', [request('POST', '/?token={{TOKEN}}', base([['Content-Length', '5'], ['Transfer-Encoding', 'chunked']]), '0\r\n\r\n')]],
    ['a negative Content-Length', [request('GET', '/?token={{TOKEN}}', base([['Content-Length', '-1']]))]],
    ['two different Content-Lengths', [request('GET', '/?token={{TOKEN}}', base([['Content-Length', '1'], ['Content-Length', '2']]), 'ab')]],
    ['a bad chunk size', [request('POST', '/?token={{TOKEN}}', base([['Transfer-Encoding', 'chunked']]), 'zz\r\nabc\r\n0\r\n\r\n')]],
    ['a TLS ClientHello on the plain port', [new Uint8Array([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, ...rng.bytes(64)])]],
    ['an HTTP/2 preface', ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n']],
    ['headers that never end (the client gives up)', ['GET /?token={{TOKEN}} HTTP/1.1\r\nHost: 127.0.0.1:{{PORT}}\r\nX-Slow: 1\r\n']],
    ['a control character in the path', ['GET /\u0001?token={{TOKEN}} HTTP/1.1\r\nHost: 127.0.0.1:{{PORT}}\r\nConnection: close\r\n\r\n']],
    ['UTF-8 in the path', [`GET /${'é'.repeat(10)}?token={{TOKEN}} HTTP/1.1\r\nHost: 127.0.0.1:{{PORT}}\r\nConnection: close\r\n\r\n`]],
  ];
  for (const [what, parts] of malformed) add('malformed', what, parts, http([400, 404, 405, 421, 505, 0], LEAKS));
  return out;
}

// ---------------------------------------------------------------- WebSocket frames

interface FrameSpec {
  fin?: boolean;
  rsv?: number;
  opcode: number;
  payload?: Uint8Array;
  /** null: an unmasked client frame (a protocol violation). */
  mask?: Uint8Array | null;
  /** Announce this length instead of the payload's (for length attacks). */
  length?: bigint;
}

function frame(rng: Rng, f: FrameSpec): Uint8Array {
  const payload = f.payload ?? new Uint8Array(0);
  const mask = f.mask === undefined ? rng.bytes(4) : f.mask;
  const length = f.length ?? BigInt(payload.length);
  const head: number[] = [((f.fin ?? true) ? 0x80 : 0) | ((f.rsv ?? 0) << 4) | f.opcode];
  const m = mask ? 0x80 : 0;
  if (length < 126n) head.push(m | Number(length));
  else if (length < 65536n) head.push(m | 126, Number(length >> 8n) & 0xff, Number(length) & 0xff);
  else {
    head.push(m | 127);
    for (let i = 7; i >= 0; i--) head.push(Number((length >> BigInt(8 * i)) & 0xffn));
  }
  if (!mask) return concat([Uint8Array.from(head), payload]);
  const masked = payload.map((b, i) => b ^ (mask[i % 4] as number));
  return concat([Uint8Array.from(head), mask, masked]);
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const closePayload = (code: number, reason: Uint8Array = new Uint8Array(0)): Uint8Array => concat([new Uint8Array([code >> 8, code & 0xff]), reason]);
const frames = (closeCodes: number[], mayStayOpen = false): FramesExpect => ({ closeCodes, mayStayOpen, maxRssMb: SERVE_MAX_RSS_MB, timeoutMs: TIMEOUT_MS });

function frameCases(rng: Rng): ServeCase[] {
  const out: ServeCase[] = [];
  const add = (category: string, what: string, bytes: Uint8Array, expect: FramesExpect): void => {
    out.push({ door: 'serve', kind: 'frames', id: '', category, what, frames: bytes, expect });
  };
  const list = utf8(JSON.stringify({ type: 'models.list', id: 'probe' }));
  add('ws-control', 'a valid models.list frame (control)', frame(rng, { opcode: 1, payload: list }), frames([], true));
  for (const opcode of [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]) add('ws-opcode', `reserved opcode ${opcode}`, frame(rng, { opcode, payload: list }), frames([1002]));
  for (const rsv of [1, 2, 4, 7]) add('ws-rsv', `RSV bits ${rsv.toString(2).padStart(3, '0')} without an extension`, frame(rng, { opcode: 1, rsv, payload: list }), frames([1002]));
  add('ws-unmasked', 'an unmasked text frame', frame(rng, { opcode: 1, payload: list, mask: null }), frames([1002]));
  add('ws-unmasked', 'an unmasked ping', frame(rng, { opcode: 9, payload: utf8('hi'), mask: null }), frames([1002]));
  add('ws-unmasked', 'an unmasked close', frame(rng, { opcode: 8, payload: closePayload(1000), mask: null }), frames([1002]));
  add('ws-fragment', 'a continuation without a start', frame(rng, { opcode: 0, payload: list }), frames([1002]));
  add('ws-fragment', 'a new text frame inside a fragmented message', concat([frame(rng, { opcode: 1, fin: false, payload: list.subarray(0, 5) }), frame(rng, { opcode: 1, payload: list.subarray(5) })]), frames([1002]));
  add('ws-fragment', 'a fragmented ping', frame(rng, { opcode: 9, fin: false, payload: utf8('x') }), frames([1002]));
  add('ws-fragment', 'a request in 1-byte fragments (legal)', concat(Array.from(list, (b, i) => frame(rng, { opcode: i === 0 ? 1 : 0, fin: i === list.length - 1, payload: new Uint8Array([b]) }))), frames([], true));
  add('ws-fragment', 'fragments of random bytes', concat([frame(rng, { opcode: 1, fin: false, payload: rng.bytes(50) }), frame(rng, { opcode: 0, payload: rng.bytes(50) })]), frames([1007, 1002]));
  add('ws-fragment', 'a start that never ends, then close', concat([frame(rng, { opcode: 1, fin: false, payload: utf8('{"type"') }), frame(rng, { opcode: 8, payload: closePayload(1000) })]), frames([1000, 1002]));
  add('ws-fragment', '10,000 empty continuation frames', concat([frame(rng, { opcode: 1, fin: false, payload: utf8('[') }), ...Array.from({ length: 10000 }, () => frame(rng, { opcode: 0, fin: false })), frame(rng, { opcode: 0, payload: utf8(']') })]), frames([1007], true));
  const badUtf8: Array<[string, Uint8Array]> = [
    ['ff fe fd', new Uint8Array([0xff, 0xfe, 0xfd])],
    ['an overlong "/" (c0 af)', new Uint8Array([0x22, 0xc0, 0xaf, 0x22])],
    ['a UTF-16 surrogate (ed a0 80)', new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22])],
    ['a code point above U+10FFFF', new Uint8Array([0xf4, 0x90, 0x80, 0x80])],
    ['a truncated sequence at the end', concat([utf8('{"type":"models.list","id":"a'), new Uint8Array([0xe2, 0x82])])],
  ];
  for (const [what, payload] of badUtf8) add('ws-utf8', `invalid UTF-8: ${what}`, frame(rng, { opcode: 1, payload }), frames([1007]));
  add('ws-utf8', 'the brief’s frame 0x81 0x83 <mask> <ff fe fd masked>', frame(rng, { opcode: 1, payload: new Uint8Array([0xff, 0xfe, 0xfd]), mask: new Uint8Array([0x37, 0xfa, 0x21, 0x3d]) }), frames([1007]));
  add('ws-utf8', 'a 3-byte character split across fragments (legal)', concat([frame(rng, { opcode: 1, fin: false, payload: concat([utf8('["'), new Uint8Array([0xe2, 0x82])]) }), frame(rng, { opcode: 0, payload: concat([new Uint8Array([0xac]), utf8('"]')]) })]), frames([], true));
  add('ws-utf8', 'invalid UTF-8 in a close reason', frame(rng, { opcode: 8, payload: closePayload(1000, new Uint8Array([0xff, 0xfe])) }), frames([1007, 1002]));
  for (const length of [2n ** 40n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n, 256n * 1024n * 1024n + 1n]) {
    add('ws-length', `a length header of ${length} with no payload`, frame(rng, { opcode: 1, length }), frames([1009, 1002]));
  }
  add('ws-length', 'a 16-bit length with only 3 bytes of payload, then silence', frame(rng, { opcode: 1, length: 300n, payload: utf8('abc') }), frames([], true));
  add('ws-length', 'a 64-bit length for 10 bytes (non-minimal encoding)', (() => {
    const payload = utf8('["minimal"]');
    const m = rng.bytes(4);
    const head = Uint8Array.from([0x81, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, payload.length]);
    return concat([head, m, payload.map((b, i) => b ^ (m[i % 4] as number))]);
  })(), frames([1002], true));
  add('ws-control', 'a ping with 126 bytes', frame(rng, { opcode: 9, payload: rng.bytes(126) }), frames([1002]));
  add('ws-control', 'a pong with 1000 bytes', frame(rng, { opcode: 10, payload: rng.bytes(1000) }), frames([1002]));
  add('ws-control', 'a close with a 1-byte payload', frame(rng, { opcode: 8, payload: new Uint8Array([3]) }), frames([1002]));
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535]) add('ws-control', `a close with code ${code}`, frame(rng, { opcode: 8, payload: closePayload(code) }), frames([1002]));
  add('ws-control', 'a close with code 1000 (legal)', frame(rng, { opcode: 8, payload: closePayload(1000) }), frames([1000]));
  add('ws-control', 'a close with code 4000 (legal, private)', frame(rng, { opcode: 8, payload: closePayload(4000) }), frames([4000, 1000]));
  add('ws-control', 'an unsolicited pong (legal)', frame(rng, { opcode: 10, payload: utf8('x') }), frames([], true));
  // ws answers a ping flood by dropping the connection once too many pongs are pending (no close frame).
  add('ws-control', '1,000 pings at once', concat(Array.from({ length: 1000 }, () => frame(rng, { opcode: 9, payload: utf8('p') }))), frames([0], true));
  add('ws-control', '20 pings (answered)', concat(Array.from({ length: 20 }, () => frame(rng, { opcode: 9, payload: utf8('p') }))), frames([], true));
  add('ws-binary', 'a binary frame', frame(rng, { opcode: 2, payload: list }), frames([1003]));
  add('ws-binary', 'text frames after a close', concat([frame(rng, { opcode: 8, payload: closePayload(1000) }), frame(rng, { opcode: 1, payload: list })]), frames([1000, 1002]));
  for (let i = 0; i < 8; i++) add('ws-garbage', `random bytes #${i}`, rng.bytes(rng.int(1, 300)), frames([1002, 1007, 1009, 1003, 1000, 0], true));
  return out;
}

// ---------------------------------------------------------------- protocol messages

const msg = (replyId: string | null, errorCodes: ErrorCode[], closeCodes: number[] = [], okAllowed = false): MessageExpect => ({ replyId, errorCodes, closeCodes, okAllowed, maxRssMb: SERVE_MAX_RSS_MB, timeoutMs: TIMEOUT_MS });
const BAD: ErrorCode[] = ['BAD_REQUEST'];

type Field = unknown;
const settings = { seed: 1, temperature: 1, topK: 8, topP: 1, sampler: 'cached', stride: 2, decodedPreviews: false };
const layout = (w: number, h: number, fill = 0): { width: number; height: number; data: Uint8Array } => ({ width: w, height: h, data: new Uint8Array(w * h).fill(fill) });

/** A valid request of each type (on a model that does not exist, so a valid one fails fast). */
function templates(): Record<string, Record<string, Field>> {
  const l = layout(64, 32);
  return {
    'models.list': { type: 'models.list', id: 'r' },
    'model.load': { type: 'model.load', id: 'r', model: 'no-such-model', backend: 'cpu' },
    'model.verify': { type: 'model.verify', id: 'r', model: 'no-such-model' },
    'job.generate': { type: 'job.generate', id: 'r', jobId: 'j', model: 'no-such-model', layout: l, settings },
    'job.batch': { type: 'job.batch', id: 'r', jobId: 'j', model: 'no-such-model', layouts: [{ name: 'a', layout: l }], seeds: [1, 2], settings },
    'job.inpaint': { type: 'job.inpaint', id: 'r', jobId: 'j', model: 'no-such-model', image: { width: 64, height: 32, rgba: new Uint8Array(64 * 32 * 4) }, mask: layout(64, 32, 1), layout: l, settings },
    'job.outpaint': { type: 'job.outpaint', id: 'r', jobId: 'j', model: 'no-such-model', image: { width: 64, height: 32, rgba: new Uint8Array(64 * 32 * 4) }, layout: layout(96, 32), offset: { x: 0, y: 0 }, settings },
    'job.cancel': { type: 'job.cancel', id: 'r', jobId: 'j' },
  };
}

/** Values of the wrong type or out of range for a field. */
const WRONG: Field[] = [null, true, -1, 1.5, 2 ** 53, '', 'x'.repeat(5000), [], {}, { $typed: 'u8', b64: '!!' }];

function messageCases(rng: Rng): ServeCase[] {
  const out: ServeCase[] = [];
  let n = 0;
  const add = (category: string, what: string, text: string, expect: MessageExpect): void => {
    out.push({ door: 'serve', kind: 'message', id: '', category, what, text, expect });
  };
  const withId = (value: Record<string, Field>): { text: string; id: string } => {
    const id = `m${n++}`;
    return { text: encodeWire({ ...value, id }), id };
  };

  add('msg-json', 'not JSON', '{"type": "models.list", ', msg(null, [], [1007]));
  add('msg-json', 'JSON null', 'null', msg(null, BAD));
  add('msg-json', 'a JSON array', '[1,2,3]', msg(null, BAD));
  add('msg-json', 'a JSON string', '"models.list"', msg(null, BAD));
  add('msg-json', 'an empty message', '', msg(null, [], [1007]));
  add('msg-json', '100,000 nested arrays', `${'['.repeat(100000)}${']'.repeat(100000)}`, msg(null, BAD, [1007]));
  add('msg-json', '100,000 nested objects with an id', `{"id":"deep","x":${'{"a":'.repeat(100000)}1${'}'.repeat(100000)}}`, msg('deep', BAD, [1007]));
  add('msg-json', 'a 20 MB string id', JSON.stringify({ type: 'models.list', id: 'i'.repeat(20 * 1024 * 1024) }), msg(null, BAD, [1009]));
  add('msg-json', 'a 20 MB array of numbers', `{"type":"job.cancel","id":"big","jobId":[${'1,'.repeat(10 * 1024 * 1024)}1]}`, msg('big', BAD, [1009]));
  add('msg-json', '"__proto__" and "constructor" keys', '{"type":"models.list","id":"proto","__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}', msg('proto', BAD));
  add('msg-json', 'a typed array tag with bad base64', '{"type":"job.cancel","id":"b64","jobId":{"$typed":"u8","b64":"%%%"}}', msg('b64', BAD, [1007]));
  add('msg-json', 'a typed array tag of an unknown kind', '{"type":"job.cancel","id":"kind","jobId":{"$typed":"f64","b64":"AAAA"}}', msg('kind', BAD));
  add('msg-json', 'a u16 typed array of odd length', '{"type":"job.cancel","id":"odd","jobId":{"$typed":"u16","b64":"AAA="}}', msg('odd', BAD));
  add('msg-json', 'a 30 MB base64 layout', `{"type":"job.generate","id":"b64big","jobId":"j","model":"${SERVE_MODEL}","layout":{"width":8192,"height":4096,"data":{"$typed":"u8","b64":"${'A'.repeat(30 * 1024 * 1024)}"}},"settings":${JSON.stringify(settings)}}`, msg('b64big', ['BAD_REQUEST', 'BAD_CANVAS_SIZE', 'BAD_INPUT'], [1009]));

  // Every request type: each field wrong, missing or oversize; an unknown field; ids that cannot be answered.
  for (const [type, template] of Object.entries(templates())) {
    const valid = withId(template);
    add('msg-valid', `${type}, valid (on a missing model)`, valid.text, msg(valid.id, ['MODEL_NOT_FOUND'], [], true));
    for (const field of Object.keys(template).filter((k) => k !== 'id' && k !== 'type')) {
      const wrong = rng.pick(WRONG);
      const a = withId({ ...template, [field]: wrong });
      // wire.ts turns a `$typed` tag with bad base64 into a parse failure: the socket closes with 1007.
      const typedTag = typeof wrong === 'object' && wrong !== null && '$typed' in wrong;
      add('msg-schema', `${type}: ${field} = ${JSON.stringify(wrong)?.slice(0, 40)}`, a.text, msg(a.id, BAD, typedTag ? [1007] : []));
      const rest = { ...template };
      delete rest[field];
      const b = withId(rest);
      // backend has a default: a request without it is still valid.
      add('msg-schema', `${type}: ${field} missing`, b.text, field === 'backend' ? msg(b.id, ['MODEL_NOT_FOUND'], [], true) : msg(b.id, BAD));
    }
    const extra = withId({ ...template, surprise: 1 });
    add('msg-schema', `${type}: an unknown field`, extra.text, msg(extra.id, BAD));
    add('msg-schema', `${type}: an id of 129 characters`, encodeWire({ ...template, id: 'i'.repeat(129) }), msg(null, BAD));
    add('msg-schema', `${type}: an empty id`, encodeWire({ ...template, id: '' }), msg(null, BAD));
    add('msg-schema', `${type}: a numeric id`, encodeWire({ ...template, id: 7 }), msg(null, BAD));
    add('msg-schema', `${type}: no id`, encodeWire({ ...template, id: undefined }), msg(null, BAD));
  }
  const oversize: Array<[string, Record<string, Field>, ErrorCode[]]> = [
    ['a model name of 4,097 characters', { ...templates()['model.load'], model: 'm'.repeat(4097) }, BAD],
    ['a layout 8,193 px wide', { ...templates()['job.generate'], layout: layout(8193, 1) }, BAD],
    ['a layout whose data is one byte short', { ...templates()['job.generate'], layout: { width: 64, height: 32, data: new Uint8Array(64 * 32 - 1) } }, BAD],
    ['1,001 batch layouts', { ...templates()['job.batch'], layouts: Array.from({ length: 1001 }, (_, i) => ({ name: `l${i}`, layout: layout(8, 8) })) }, BAD],
    ['10,001 seeds', { ...templates()['job.batch'], seeds: Array.from({ length: 10001 }, (_, i) => i) }, BAD],
    ['65,537 inpaint tokens', { ...templates()['job.inpaint'], tokens: Array.from({ length: 65537 }, (_, i) => i) }, BAD],
    ['a seed of 2^32', { ...templates()['job.generate'], settings: { ...settings, seed: 2 ** 32 } }, BAD],
    ['temperature Infinity (as 1e999)', { ...templates()['job.generate'], settings: { ...settings, temperature: 'INF' } }, BAD],
    ['an outpaint offset of 8,193 px', { ...templates()['job.outpaint'], offset: { x: 8193, y: 0 } }, BAD],
    ['an outpaint with 9 candidates', { ...templates()['job.outpaint'], options: { blend: 4, candidates: 9 } }, BAD],
    ['a batch layout name of 201 characters', { ...templates()['job.batch'], layouts: [{ name: 'n'.repeat(201), layout: layout(64, 32) }] }, BAD],
  ];
  for (const [what, value, codes] of oversize) {
    const m = withId(value);
    add('msg-oversize', what, m.text, msg(m.id, codes));
  }
  // Valid requests with values the engine must refuse by itself (the fixture model is listed).
  const engine: Array<[string, Record<string, Field>, ErrorCode[]]> = [
    ['a 8192×1 canvas', { ...templates()['job.generate'], model: SERVE_MODEL, layout: layout(8192, 1) }, ['BAD_CANVAS_SIZE']],
    ['a 16×16 canvas (smaller than a window)', { ...templates()['job.generate'], model: SERVE_MODEL, layout: layout(16, 16) }, ['BAD_CANVAS_SIZE']],
    ['class index 200', { ...templates()['job.generate'], model: SERVE_MODEL, layout: layout(64, 32, 200) }, ['BAD_INPUT']],
    ['stride wider than the window', { ...templates()['job.generate'], model: SERVE_MODEL, settings: { ...settings, stride: 64 } }, ['BAD_INPUT']],
    ['model "../../../../etc"', { ...templates()['model.load'], model: '../../../../etc' }, ['MODEL_NOT_FOUND', 'MODEL_INVALID']],
    ['model "/etc"', { ...templates()['model.verify'], model: '/etc' }, ['MODEL_NOT_FOUND', 'MODEL_INVALID']],
    ['model "/dev/zero"', { ...templates()['model.load'], model: '/dev/zero' }, ['MODEL_NOT_FOUND', 'MODEL_INVALID']],
    ['model "/proc/self/cwd"', { ...templates()['model.verify'], model: '/proc/self/cwd' }, ['MODEL_NOT_FOUND', 'MODEL_INVALID']],
    ['batch outDir "../../escape"', { ...templates()['job.batch'], model: SERVE_MODEL, outDir: '../../escape' }, ['BAD_REQUEST']],
    ['batch outDir "/tmp/elsewhere"', { ...templates()['job.batch'], model: SERVE_MODEL, outDir: '/tmp/elsewhere' }, ['BAD_REQUEST']],
    ['batch outDir "C:\\\\x"', { ...templates()['job.batch'], model: SERVE_MODEL, outDir: 'C:\\x' }, ['BAD_REQUEST']],
    ['an inpaint mask of another size', { ...templates()['job.inpaint'], model: SERVE_MODEL, mask: layout(32, 32, 1) }, ['BAD_INPUT']],
    ['an empty inpaint mask', { ...templates()['job.inpaint'], model: SERVE_MODEL, mask: layout(64, 32, 0) }, ['NOTHING_TO_DO', 'BAD_INPUT']],
    ['inpaint tokens past the grid', { ...templates()['job.inpaint'], model: SERVE_MODEL, tokens: [999999] }, ['BAD_INPUT']],
    ['an outpaint offset off the token grid', { ...templates()['job.outpaint'], model: SERVE_MODEL, offset: { x: 3, y: 0 } }, ['BAD_INPUT']],
    ['an outpaint image that does not fit the layout', { ...templates()['job.outpaint'], model: SERVE_MODEL, offset: { x: 64, y: 0 } }, ['BAD_INPUT']],
    ['an outpaint layout with no new area', { ...templates()['job.outpaint'], model: SERVE_MODEL, layout: layout(64, 32) }, ['BAD_INPUT']],
    ['an outpaint image not whole tokens wide', { ...templates()['job.outpaint'], model: SERVE_MODEL, image: { width: 60, height: 32, rgba: new Uint8Array(60 * 32 * 4) } }, ['BAD_INPUT']],
    ['outpaint image tokens of the wrong count', { ...templates()['job.outpaint'], model: SERVE_MODEL, imageTokens: new Uint16Array(5) }, ['BAD_INPUT']],
    ['outpaint image tokens past the codebook', { ...templates()['job.outpaint'], model: SERVE_MODEL, imageTokens: new Uint16Array(32).fill(65535) }, ['BAD_INPUT']],
    ['cancel of a job that does not exist', { ...templates()['job.cancel'], jobId: 'nobody' }, []],
  ];
  for (const [what, value, codes] of engine) {
    const m = withId(value);
    add('msg-engine', what, m.text, msg(m.id, codes, [], codes.length === 0));
  }

  // fast-check: near-requests built from each template with random field values.
  const nearRequest = fc.record({
    type: fc.constantFrom(...Object.keys(templates()), 'job.unknown', 'models.List', ''),
    field: fc.constantFrom('model', 'jobId', 'layout', 'settings', 'backend', 'seeds', 'layouts', 'image', 'mask', 'tokens', 'outDir', 'options', 'offset', 'imageTokens'),
    value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 300 }), fc.integer(), fc.double(), fc.constant(null)),
  });
  for (const sample of fc.sample(nearRequest, { seed: rng.fork(), numRuns: 40 })) {
    const template = templates()[sample.type] ?? { type: sample.type, id: 'r' };
    const m = withId({ ...template, [sample.field]: sample.value as Field });
    add('msg-random', `${sample.type}: ${sample.field} = ${JSON.stringify(sample.value)?.slice(0, 40)}`, m.text, msg(m.id, ['BAD_REQUEST', 'MODEL_NOT_FOUND', 'MODEL_INVALID', 'BAD_INPUT', 'BAD_CANVAS_SIZE', 'NOTHING_TO_DO'], [1007], true));
  }
  for (const value of fc.sample(fc.jsonValue({ maxDepth: 4 }), { seed: rng.fork(), numRuns: 15 })) {
    add('msg-random', `arbitrary JSON ${JSON.stringify(value)?.slice(0, 40)}`, JSON.stringify(value), msg(null, BAD));
  }
  return out;
}

export function serveCases(rng: Rng): ServeCase[] {
  return [...httpCases(rng), ...frameCases(rng), ...messageCases(rng)];
}
