/**
 * The desktop IPC door: every invoke channel of shared/desktop-ipc.ts through the real handler
 * table (electron/main/ipc-handlers.ts → ipc-guard.ts) with bad senders and bad payloads. Payloads
 * are what structured clone can carry (typed arrays, Maps, Dates, BigInts...), partly drawn by
 * fast-check from a seed.
 */
import fc from 'fast-check';
import { IPC } from '../../shared/desktop-ipc.ts';
import type { Rng } from './rng.ts';
import type { IpcCase, IpcExpect, IpcSender } from './types.ts';

const IPC_MAX_RSS_MB = 768;
const TIMEOUT_MS = 10_000;
const STUDIO: IpcSender = { frameUrl: 'app://tessera/index.html', isMainFrame: true, webContentsId: 1 };
const CHANNELS = Object.values(IPC).filter((c) => !c.endsWith('menu.command') && !c.endsWith('engine.port') && !c.endsWith('engine.lost'));
/** Channels whose payload is `undefined` (no argument). */
const NO_ARGUMENT = new Set<string>([IPC.openProject, IPC.listRecent, IPC.importLayout, IPC.recoveryRead, IPC.recoveryClear]);

const refused = (): IpcExpect => ({ outcome: 'refused', maxRssMb: IPC_MAX_RSS_MB, timeoutMs: TIMEOUT_MS });
const anyResult = (): IpcExpect => ({ outcome: 'result', maxRssMb: IPC_MAX_RSS_MB, timeoutMs: TIMEOUT_MS });

/** A payload that passes each channel's schema, for the bad-sender cases. */
function validPayload(channel: string): unknown {
  switch (channel) {
    case IPC.openRecent:
      return { token: 'abcdefgh12' };
    case IPC.saveProject:
      return { suggestedName: 'project', bytes: new Uint8Array([1, 2, 3]) };
    case IPC.exportImage:
    case IPC.exportLayout:
      return { suggestedName: 'render', bytes: new Uint8Array([137, 80, 78, 71]) };
    case IPC.recoveryWrite:
      return { value: { a: 1 } };
    default:
      return undefined;
  }
}

/** Deeply nested arrays, built without recursion. */
function nested(depth: number): unknown {
  let v: unknown = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

export function ipcCases(rng: Rng): IpcCase[] {
  const out: IpcCase[] = [];
  const add = (category: string, what: string, channel: string, sender: IpcSender, payload: unknown, expect: IpcExpect): void => {
    out.push({ door: 'ipc', id: '', category, what, channel, sender, payload, expect });
  };

  for (const channel of CHANNELS) add('control', `${channel}: a valid call from the studio`, channel, STUDIO, validPayload(channel), anyResult());

  // Senders that are not the studio's main frame: refused before the payload is looked at.
  const senders: Array<[string, IpcSender]> = [
    ['another webContents', { ...STUDIO, webContentsId: 2 }],
    ['webContents -1', { ...STUDIO, webContentsId: -1 }],
    ['webContents NaN', { ...STUDIO, webContentsId: Number.NaN }],
    ['a sub-frame', { ...STUDIO, isMainFrame: false }],
    ['a destroyed frame', { ...STUDIO, frameUrl: null }],
    ['https://evil.example', { ...STUDIO, frameUrl: 'https://evil.example/' }],
    ['file:///tmp/x.html', { ...STUDIO, frameUrl: 'file:///tmp/x.html' }],
    ['app://tessera.evil', { ...STUDIO, frameUrl: 'app://tessera.evil/' }],
    ['app://evil', { ...STUDIO, frameUrl: 'app://evil/index.html' }],
    ['app://tessera@evil', { ...STUDIO, frameUrl: 'app://tessera@evil/' }],
    ['app://tessera:8080', { ...STUDIO, frameUrl: 'app://tessera:8080/' }],
    ['about:blank', { ...STUDIO, frameUrl: 'about:blank' }],
    ['data:text/html', { ...STUDIO, frameUrl: 'data:text/html,<script>1</script>' }],
    ['javascript:', { ...STUDIO, frameUrl: 'javascript:alert(1)' }],
    ['an empty URL', { ...STUDIO, frameUrl: '' }],
    ['a 100 KB URL', { ...STUDIO, frameUrl: `https://evil.example/${'a'.repeat(100_000)}` }],
    ['devtools://', { ...STUDIO, frameUrl: 'devtools://devtools/bundled/inspector.html' }],
  ];
  for (const channel of CHANNELS) {
    for (const [what, sender] of rng.shuffle(senders).slice(0, 9)) add('sender', `${channel} from ${what}`, channel, sender, validPayload(channel), refused());
  }

  // Payloads of the wrong shape for every channel.
  const wrong: Array<[string, unknown]> = [
    ['a string', '/etc/passwd'],
    ['a number', 42],
    ['null', null],
    ['an array', [1, 2]],
    ['an empty object', {}],
    ['a Map', new Map([['token', 'abcdefgh12']])],
    ['a Date', new Date(0)],
    ['a BigInt', 10n ** 30n],
    ['an object with a path', { path: '/etc/passwd' }],
    ['2,000 nested arrays (structured clone stops near 3,500)', nested(2_000)],
  ];
  for (const channel of CHANNELS.filter((c) => c !== IPC.recoveryWrite)) {
    for (const [what, payload] of rng.shuffle(wrong).slice(0, 6)) add('payload-type', `${channel} with ${what}`, channel, STUDIO, payload, refused());
  }
  add('payload-type', 'recovery.write with no argument', IPC.recoveryWrite, STUDIO, undefined, refused());
  add('payload-type', 'recovery.write with a string', IPC.recoveryWrite, STUDIO, 'x', refused());

  // Fields: tokens, names, bytes.
  const tokens: Array<[string, unknown]> = [
    ['a 7-character token', 'abcdefg'],
    ['a 65-character token', 't'.repeat(65)],
    ['a token with ../', '../../etc/passwd'],
    ['a token with a NUL', 'abcdefgh\0'],
    ['a token with unicode', 'ａｂｃｄｅｆｇｈ'],
    ['a number token', 12345678],
    ['a token array', ['abcdefgh']],
  ];
  for (const [what, token] of tokens) {
    add('payload-fields', `openRecent with ${what}`, IPC.openRecent, STUDIO, { token }, refused());
    add('payload-fields', `saveProject with ${what}`, IPC.saveProject, STUDIO, { token, suggestedName: 'p', bytes: new Uint8Array(1) }, refused());
  }
  add('payload-fields', 'openRecent with a well-formed token never granted', IPC.openRecent, STUDIO, { token: 'zzzzzzzzzzzz' }, anyResult());
  add('payload-fields', 'saveProject with a well-formed token never granted', IPC.saveProject, STUDIO, { token: 'zzzzzzzzzzzz', suggestedName: 'p', bytes: new Uint8Array(1) }, anyResult());
  const names: Array<[string, unknown, boolean]> = [
    ['../../etc/passwd', '../../etc/passwd', false],
    ['a/b', 'a/b', false],
    ['a\\b', 'a\\b', false],
    ['.bashrc', '.bashrc', false],
    ['an empty name', '', false],
    ['201 characters', 'n'.repeat(201), false],
    ['a NUL', 'a\0b', false],
    ['a colon', 'c:x', false],
    ['a wildcard', 'a*.png', false],
    ['a number', 5, false],
    ['CON (legal here: main adds the folder)', 'CON', true],
    ['RTL override (legal characters)', 'gnp.\u202eexe', true],
  ];
  for (const [what, suggestedName, legalName] of names) {
    for (const channel of [IPC.saveProject, IPC.exportImage, IPC.exportLayout]) {
      add('payload-fields', `${channel} with suggestedName ${what}`, channel, STUDIO, { suggestedName, bytes: new Uint8Array(2) }, legalName ? anyResult() : refused());
    }
  }
  const bytesValues: Array<[string, unknown]> = [
    ['a number array', [1, 2, 3]],
    ['a Uint16Array', new Uint16Array(4)],
    ['an ArrayBuffer', new ArrayBuffer(4)],
    ['a DataView', new DataView(new ArrayBuffer(4))],
    ['a string', 'iVBORw0KGgo='],
    ['a {$typed} object', { $typed: 'u8', b64: 'AAAA' }],
  ];
  for (const [what, b] of bytesValues) add('payload-fields', `exportImage with bytes as ${what}`, IPC.exportImage, STUDIO, { suggestedName: 'x', bytes: b }, refused());
  add('payload-fields', 'exportImage with an extra path field', IPC.exportImage, STUDIO, { suggestedName: 'x', bytes: new Uint8Array(1), path: '/etc/passwd' }, refused());
  add('payload-fields', 'saveProject with __proto__ and constructor keys', IPC.saveProject, STUDIO, JSON.parse('{"suggestedName":"p","bytes":null,"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}') as unknown, refused());

  // The one channel that takes any value: recovery.write stores whatever the renderer gives it.
  const recovery: Array<[string, unknown]> = [
    ['2,000 nested arrays (structured clone stops near 3,500)', nested(2_000)],
    ['a 20 MB string', 's'.repeat(20 * 1024 * 1024)],
    ['a Map of 100,000 entries', new Map(Array.from({ length: 100_000 }, (_, i) => [i, i]))],
    ['a sparse array of length 2^32 − 1', (() => {
      const a: unknown[] = [];
      a[2 ** 32 - 2] = 1;
      return a;
    })()],
    ['an Error object', new Error('boom')],
    ['a RegExp', /x/g],
    ['BigInts and -0 and NaN', { a: 10n ** 40n, b: -0, c: Number.NaN }],
    ['__proto__ keys', JSON.parse('{"__proto__":{"polluted":1}}') as unknown],
  ];
  for (const [what, value] of recovery) add('recovery', `recovery.write of ${what}`, IPC.recoveryWrite, STUDIO, { value }, anyResult());

  // fast-check: anything structured clone can carry, on a random channel.
  const anything = fc.anything({ maxDepth: 3, withTypedArray: true, withMap: true, withSet: true, withBigInt: true, withDate: true, withNullPrototype: true, withSparseArray: true, withBoxedValues: true });
  for (const payload of fc.sample(anything, { seed: rng.fork(), numRuns: 60 })) {
    const channel = rng.pick(CHANNELS);
    // A no-argument channel must refuse anything but undefined; elsewhere a random value is almost
    // always refused, but an accidental valid one may run (then any result is fine).
    const expect = NO_ARGUMENT.has(channel) && payload !== undefined ? refused() : anyResult();
    add('random', `${channel} with fast-check value #${out.length}`, channel, STUDIO, payload, expect);
  }
  return out;
}
