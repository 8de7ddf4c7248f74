/**
 * The bundle door: broken copies of the fixture bundle given to `models verify PATH` and
 * `generate --model PATH`. A case is a list of file operations on a fresh copy (write, truncate,
 * delete, symlink, ...), so it is data; the manifests it writes are computed here from the fixture's.
 */
import { createHash } from 'node:crypto';
import type { ErrorCode } from '../../shared/errors.ts';
import { encodeLabelPng, type LabelMap } from '../../shared/labelmap.ts';
import { FIXTURE_FILES, fixtureClasses, fixtureFile, fixtureJson, type Json, type JsonObject } from './fixture.ts';
import { MAX_OUTPUT_BYTES, PNG_MAX_RSS_MB } from './corpus-png.ts';
import { ascii, concat } from './png-bytes.ts';
import type { Rng } from './rng.ts';
import type { BundleOp, BundleSpec, CliCase, InputFile } from './types.ts';

type Command = 'verify' | 'generate';
interface Outcome {
  exitCodes: number[];
  errorCodes: ErrorCode[];
}

const MODEL: ErrorCode[] = ['MODEL_INVALID', 'MODEL_HASH_MISMATCH', 'MODEL_NOT_FOUND'];
const refused = (codes: ErrorCode[] = MODEL): Outcome => ({ exitCodes: [3], errorCodes: codes });
/** Accepted, or refused with any typed model or input error; never exit 1 (INTERNAL) or a crash. */
const typed = (): Outcome => ({ exitCodes: [0, 2, 3], errorCodes: [...MODEL, 'BAD_INPUT', 'BAD_CANVAS_SIZE', 'UNKNOWN_COLOURS'] });
const fine = (): Outcome => ({ exitCodes: [0], errorCodes: [] });

const BUNDLE_TIMEOUT_MS = 30_000;
const FILE_KEYS = ['condEncoder', 'imageEncoder', 'imageDecoder', 'transformer', 'transformerInt8'] as const;
type FileKey = (typeof FILE_KEYS)[number];

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const text = (json: Json, indent = 2): Uint8Array => new TextEncoder().encode(JSON.stringify(json, null, indent));
const writeManifest = (json: Json): BundleOp => ({ op: 'write', path: 'manifest.json', bytes: text(json) });

function fileEntry(m: JsonObject, key: FileKey): JsonObject {
  return (m.files as JsonObject)[key] as JsonObject;
}

function fileName(key: FileKey): string {
  return String(fileEntry(fixtureJson(), key).path);
}

/** Every path to a value in a JSON document, objects and arrays included. */
function paths(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push([...prefix, i], ...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...paths(v, [...prefix, k]));
  return out;
}

function getPath(root: Json, path: ReadonlyArray<string | number>): Json {
  let at: Json = root;
  for (const p of path) at = (at as Record<string | number, Json>)[p] as Json;
  return at;
}

function setPath(root: JsonObject, path: ReadonlyArray<string | number>, value: Json | undefined): JsonObject {
  const parent = getPath(root, path.slice(0, -1)) as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else parent[last] = value;
  return root;
}

/** Keys the schema makes optional: deleting them leaves a valid manifest. */
const OPTIONAL = new Set(['description', 'previewColors', 'defaults', 'transformerInt8', 'notes']);

/** The good layout the `generate` cases paint with (64×32, fixture colours). */
function goodLayout(): Uint8Array {
  const data = new Uint8Array(64 * 32);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor((i % 64) / 13) % 5;
  const map: LabelMap = { width: 64, height: 32, data };
  return encodeLabelPng(map, fixtureClasses());
}

function argsFor(command: Command): string[] {
  return command === 'verify' ? ['models', 'verify', '@bundle'] : ['generate', '--model', '@bundle', '--layout', '@layout', '--backend', 'cpu', '--seed', '1', '--out', '@out'];
}

export function bundleCases(rng: Rng): CliCase[] {
  const cases: CliCase[] = [];
  const layout: InputFile = { kind: 'bytes', bytes: goodLayout() };
  let turn = rng.int(0, 1);
  const add = (category: string, what: string, spec: BundleSpec, outcome: Outcome | Record<Command, Outcome>, options: { both?: boolean; bundleArg?: string } = {}): void => {
    const commands: Command[] = options.both ? ['verify', 'generate'] : [(turn++ % 2 === 0 ? 'verify' : 'generate') as Command];
    for (const command of commands) {
      const o = 'exitCodes' in outcome ? outcome : outcome[command];
      const args = argsFor(command).map((a) => (a === '@bundle' && options.bundleArg ? options.bundleArg : a));
      cases.push({
        door: 'bundle',
        id: '',
        category,
        what: `${command}: ${what}`,
        args,
        files: command === 'generate' ? { layout } : {},
        bundle: spec,
        expect: { ...o, maxRssMb: PNG_MAX_RSS_MB, timeoutMs: BUNDLE_TIMEOUT_MS, maxOutputBytes: MAX_OUTPUT_BYTES },
      });
    }
  };
  const manifestCase = (category: string, what: string, edit: (m: JsonObject) => JsonObject, outcome: Outcome, both = false): void => add(category, what, { ops: [writeManifest(edit(fixtureJson()))] }, outcome, { both });

  add('control', 'the fixture bundle, unchanged', { ops: [] }, fine(), { both: true });
  add('control', 'the path of manifest.json instead of the folder', { ops: [] }, fine(), { bundleArg: '@bundle/manifest.json' });

  // manifest.json that is not JSON, or not an object.
  const original = text(fixtureJson());
  const notJson: Array<[string, Uint8Array]> = [
    ['empty manifest.json', new Uint8Array(0)],
    ['just "{"', ascii('{')],
    ['a UTF-8 byte-order mark before the JSON', concat([new Uint8Array([0xef, 0xbb, 0xbf]), original])],
    ['UTF-16 encoded', Uint8Array.from([0xff, 0xfe, ...Array.from(original.subarray(0, 400), (b) => [b, 0]).flat()])],
    ['trailing garbage', concat([original, ascii('}x')])],
    ['comments', concat([ascii('// model\n'), original])],
    ['NaN as a number', ascii(new TextDecoder().decode(original).replace(/"bytes": \d+/, '"bytes": NaN'))],
    ['binary garbage', rng.bytes(3000)],
    ['null', ascii('null')],
    ['an array', ascii('[]')],
    ['a string', ascii('"tessera"')],
    ['a number', ascii('42')],
  ];
  for (const [what, bytes] of notJson) add('manifest-json', what, { ops: [{ op: 'write', path: 'manifest.json', bytes }] }, refused(['MODEL_INVALID']));
  for (let i = 0; i < 4; i++) {
    const cut = rng.int(1, original.length - 2);
    add('manifest-json', `cut to ${cut} of ${original.length} bytes`, { ops: [{ op: 'write', path: 'manifest.json', bytes: original.slice(0, cut) }] }, refused(['MODEL_INVALID']));
  }

  // Wrong types at every path of the manifest; missing keys; unknown keys.
  const m0 = fixtureJson();
  const all = paths(m0).filter((p) => !(p[0] === 'previewColors' && p.length > 1));
  for (const path of all) {
    const value = getPath(m0, path);
    const wrong: Json[] = typeof value === 'string' ? [42, null, true, [], {}] : typeof value === 'number' ? ['8', null, [], {}, false] : Array.isArray(value) ? [{}, 'x', 3, null] : [[], 'x', 7, null];
    const replacement = rng.pick(wrong);
    manifestCase('manifest-types', `${path.join('.')} = ${JSON.stringify(replacement)}`, (m) => setPath(m, path, replacement), refused(['MODEL_INVALID']));
  }
  for (const path of all.filter((p) => typeof p[p.length - 1] === 'string')) {
    const key = String(path[path.length - 1]);
    const optional = OPTIONAL.has(key) || (path[0] === 'tensors' && path[1] === 'transformer' && key === 'pastLength');
    manifestCase('manifest-missing-key', `${path.join('.')} deleted`, (m) => setPath(m, path, undefined), optional ? typed() : refused(['MODEL_INVALID']));
  }
  for (const path of [[], ...all.filter((p) => { const v = getPath(m0, p); return v !== null && typeof v === 'object' && !Array.isArray(v); })]) {
    manifestCase('manifest-extra-key', `unknown key at ${path.join('.') || '(root)'}`, (m) => {
      (getPath(m, path) as JsonObject).surprise = 'x';
      return m;
    }, refused(['MODEL_INVALID']));
  }

  // File names that leave the bundle, or are not files.
  const escapes = ['../cond_encoder.onnx', '../../../../../../etc/passwd', '/etc/passwd', 'C:\\Windows\\win.ini', 'c:model.onnx', '..\\..\\model.onnx', 'sub/../../cond_encoder.onnx', '', 'a\u0000b.onnx', 'x'.repeat(5000), 'file:///etc/passwd', '~/cond_encoder.onnx', 'cond_encoder.onnx/', '.', 'manifest.json', '/dev/zero', '%2e%2e/cond_encoder.onnx'];
  for (const name of escapes) {
    const key = rng.pick(FILE_KEYS);
    manifestCase('manifest-paths', `files.${key}.path = ${JSON.stringify(name.length > 40 ? `${name.slice(0, 20)}…(${name.length})` : name)}`, (m) => setPath(m, ['files', key, 'path'], name), refused(), true);
  }
  manifestCase('manifest-paths', 'files.condEncoder.path = "./cond_encoder.onnx" (inside, legal)', (m) => setPath(m, ['files', 'condEncoder', 'path'], './cond_encoder.onnx'), fine());

  // Symlinks: nothing outside the bundle folder may be read as part of it.
  const cond = fileName('condEncoder');
  const tr = fileName('transformer');
  add('symlink', 'cond encoder is a symlink to an identical copy outside the bundle (hashes match)', { ops: [{ op: 'delete', path: cond }, { op: 'symlink', path: cond, target: `@outside/${cond}` }], outside: { [cond]: { copyOf: cond } } }, refused(['MODEL_INVALID']), { both: true });
  add('symlink', 'transformer is a relative symlink ../outside/… (hashes match)', { ops: [{ op: 'delete', path: tr }, { op: 'symlink', path: tr, target: `../outside/${tr}` }], outside: { [tr]: { copyOf: tr } } }, refused(['MODEL_INVALID']), { both: true });
  add('symlink', 'cond encoder → /etc/passwd', { ops: [{ op: 'delete', path: cond }, { op: 'symlink', path: cond, target: '/etc/passwd' }] }, refused(), { both: true });
  add('symlink', 'cond encoder → /dev/zero', { ops: [{ op: 'delete', path: cond }, { op: 'symlink', path: cond, target: '/dev/zero' }] }, refused(), { both: true });
  add('symlink', 'cond encoder → /dev/urandom', { ops: [{ op: 'delete', path: cond }, { op: 'symlink', path: cond, target: '/dev/urandom' }] }, refused());
  add('symlink', 'a symlink loop', { ops: [{ op: 'delete', path: cond }, { op: 'symlink', path: cond, target: 'loop.onnx' }, { op: 'symlink', path: 'loop.onnx', target: cond }] }, refused(), { both: true });
  add('symlink', 'a dangling symlink', { ops: [{ op: 'delete', path: tr }, { op: 'symlink', path: tr, target: 'gone.onnx' }] }, refused());
  add('symlink', 'a symlink inside the bundle (legal)', { ops: [{ op: 'mkdir', path: 'graphs' }, { op: 'copy', from: cond, to: `graphs/${cond}` }, { op: 'delete', path: cond }, { op: 'symlink', path: cond, target: `graphs/${cond}` }] }, fine());
  add('symlink', 'manifest.json → /dev/zero', { ops: [{ op: 'delete', path: 'manifest.json' }, { op: 'symlink', path: 'manifest.json', target: '/dev/zero' }] }, refused(['MODEL_INVALID']), { both: true });
  add('symlink', 'manifest.json → /dev/urandom', { ops: [{ op: 'delete', path: 'manifest.json' }, { op: 'symlink', path: 'manifest.json', target: '/dev/urandom' }] }, refused(['MODEL_INVALID']));
  add('symlink', 'manifest.json is a folder', { ops: [{ op: 'delete', path: 'manifest.json' }, { op: 'mkdir', path: 'manifest.json' }] }, refused(['MODEL_INVALID']));
  add('symlink', 'cond_encoder.onnx is a folder', { ops: [{ op: 'delete', path: cond }, { op: 'mkdir', path: cond }] }, refused(), { both: true });

  // Hashes and sizes.
  for (const key of FILE_KEYS) {
    const name = fileName(key);
    const b = fixtureFile(name);
    const at = rng.int(0, b.length - 1);
    b[at] = (b[at] as number) ^ rng.int(1, 255);
    add('hash', `one byte of ${name} changed`, { ops: [{ op: 'write', path: name, bytes: b }] }, refused(['MODEL_HASH_MISMATCH']), { both: key === 'condEncoder' });
  }
  const shaEdits: Array<[string, (s: string, key: FileKey) => Json]> = [
    ['upper-case hex', (s) => s.toUpperCase()],
    ['63 digits', (s) => s.slice(1)],
    // Another file's: the image decoder's, or the cond encoder's when the key is the image decoder.
    ['the hash of another file', (_s, key) => sha256(fixtureFile(fileName(key === 'imageDecoder' ? 'condEncoder' : 'imageDecoder')))],
    ['all zeros', () => '0'.repeat(64)],
  ];
  for (const [what, edit] of shaEdits) {
    const key = rng.pick(FILE_KEYS.slice(0, 4));
    manifestCase('hash', `files.${key}.sha256: ${what}`, (m) => setPath(m, ['files', key, 'sha256'], edit(String(fileEntry(m, key).sha256), key)), refused());
  }
  for (const bytes of [1, -1, 0, -5, 1.5, 1e20, 2 ** 53]) {
    const key = rng.pick(FILE_KEYS.slice(0, 4));
    manifestCase('size', `files.${key}.bytes ${bytes === 1 || bytes === -1 ? (bytes > 0 ? '+ 1' : '- 1') : `= ${bytes}`}`, (m) => setPath(m, ['files', key, 'bytes'], bytes === 1 || bytes === -1 ? Number(fileEntry(m, key).bytes) + bytes : bytes), refused());
  }

  // Truncated, swapped and garbage ONNX files; with the manifest updated to match, only onnxruntime
  // and the graph checks can tell.
  const withFile = (m: JsonObject, key: FileKey, b: Uint8Array): JsonObject => setPath(setPath(m, ['files', key, 'sha256'], sha256(b)), ['files', key, 'bytes'], b.length);
  for (const key of FILE_KEYS) {
    const name = fileName(key);
    const full = fixtureFile(name);
    for (const length of [1, 100, full.length >> 1, full.length - 1]) {
      const cut = full.slice(0, length);
      const update = rng.chance(0.5);
      const ops: BundleOp[] = [{ op: 'truncate', path: name, length }];
      if (update) ops.push(writeManifest(withFile(fixtureJson(), key, cut)));
      // The int8 transformer is only checked by hash (verify and generate never open it).
      const outcome = update && key === 'transformerInt8' ? typed() : refused();
      add('truncated-onnx', `${name} cut to ${length} bytes${update ? ', manifest updated' : ''}`, { ops }, outcome);
    }
  }
  const swaps: Array<[FileKey, FileKey, boolean]> = [
    ['condEncoder', 'imageDecoder', false],
    ['condEncoder', 'imageEncoder', false],
    ['imageDecoder', 'transformer', false],
    ['imageEncoder', 'imageDecoder', false],
    ['transformer', 'transformerInt8', true],
  ];
  for (const [a, b, legalSwap] of swaps) {
    const [fa, fb] = [fileName(a), fileName(b)];
    const [ba, bb] = [fixtureFile(fa), fixtureFile(fb)];
    const ops: BundleOp[] = [{ op: 'write', path: fa, bytes: bb }, { op: 'write', path: fb, bytes: ba }];
    add('swapped-onnx', `${fa} ⇄ ${fb}, hashes unchanged`, { ops }, refused(['MODEL_HASH_MISMATCH']));
    add('swapped-onnx', `${fa} ⇄ ${fb}, manifest updated`, { ops: [...ops, writeManifest(withFile(withFile(fixtureJson(), a, bb), b, ba))] }, legalSwap ? typed() : refused(['MODEL_INVALID']), { both: true });
  }
  const garbage: Array<[string, Uint8Array]> = [
    ['random bytes', rng.bytes(4096)],
    ['a PNG', goodLayout()],
    ['JSON text', text(fixtureJson())],
    ['a protobuf field claiming 2 GB', new Uint8Array([0x3a, 0xff, 0xff, 0xff, 0xff, 0x07, 1, 2, 3])],
    ['the first 4 KB of the graph, then random bytes', concat([fixtureFile(cond).subarray(0, 4096), rng.bytes(60000)])],
    ['the graph with random bytes in the middle', (() => {
      const b = fixtureFile(cond);
      b.set(rng.bytes(2000), b.length >> 1);
      return b;
    })()],
  ];
  for (const [what, b] of garbage) {
    const key = rng.pick(['condEncoder', 'imageDecoder', 'transformer'] as const);
    add('garbage-onnx', `${fileName(key)} replaced by ${what}, manifest updated`, { ops: [{ op: 'write', path: fileName(key), bytes: b }, writeManifest(withFile(fixtureJson(), key, b))] }, refused(['MODEL_INVALID']), { both: true });
  }

  // Classes that do not match the cond encoder, or are invalid.
  const classes = (m: JsonObject): Json[] => m.classes as Json[];
  const classEdits: Array<[string, (m: JsonObject) => JsonObject, Outcome]> = [
    ['one class fewer', (m) => setPath(m, ['classes'], classes(m).slice(0, -1)), refused(['MODEL_INVALID'])],
    ['one class more', (m) => setPath(m, ['classes'], [...classes(m), { id: classes(m).length, name: 'extra', color: '#010203' }]), refused(['MODEL_INVALID'])],
    ['duplicate id', (m) => setPath(m, ['classes', 1, 'id'], 0), refused(['MODEL_INVALID'])],
    ['duplicate colour', (m) => setPath(m, ['classes', 1, 'color'], (classes(m)[0] as JsonObject).color as Json), refused(['MODEL_INVALID'])],
    ['ids with a gap', (m) => setPath(m, ['classes', classes(m).length - 1, 'id'], 9), refused(['MODEL_INVALID'])],
    ['id 255', (m) => setPath(m, ['classes', 0, 'id'], 255), refused(['MODEL_INVALID'])],
    ['no classes', (m) => setPath(m, ['classes'], []), refused(['MODEL_INVALID'])],
    ['300 classes', (m) => setPath(m, ['classes'], Array.from({ length: 300 }, (_, i) => ({ id: i, name: `c${i}`, color: `#${i.toString(16).padStart(6, '0')}` }))), refused(['MODEL_INVALID'])],
    ['colour "#12345"', (m) => setPath(m, ['classes', 2, 'color'], '#12345'), refused(['MODEL_INVALID'])],
    ['name of 10,000 characters', (m) => setPath(m, ['classes', 0, 'name'], 'n'.repeat(10000)), refused(['MODEL_INVALID'])],
  ];
  for (const [what, edit, outcome] of classEdits) manifestCase('classes', what, edit, outcome, true);

  // Dimensions: grid, window, vocabularies, transformer shape.
  const dims: Array<[string, Array<string | number>, Json, Outcome]> = [
    ['gridFactor 3', ['gridFactor'], 3, refused(['MODEL_INVALID'])],
    ['gridFactor 12', ['gridFactor'], 12, refused(['MODEL_INVALID'])],
    ['gridFactor 0', ['gridFactor'], 0, refused(['MODEL_INVALID'])],
    ['gridFactor 16 (legal, but not the graph’s)', ['gridFactor'], 16, typed()],
    ['gridFactor 4 (legal, but not the graph’s)', ['gridFactor'], 4, typed()],
    ['window 0 rows', ['window', 'rows'], 0, refused(['MODEL_INVALID'])],
    ['window 65 columns', ['window', 'cols'], 65, refused(['MODEL_INVALID'])],
    ['window 8×8 (more than the block size)', ['window'], { rows: 8, cols: 8 }, refused(['MODEL_INVALID'])],
    ['window 2×2 (legal)', ['window'], { rows: 2, cols: 2 }, typed()],
    ['image vocabulary larger than the transformer’s', ['vocab', 'image'], 64, refused(['MODEL_INVALID'])],
    ['cond vocabulary 2', ['vocab', 'cond'], 2, typed()],
    ['3 transformer layers', ['transformer', 'layers'], 3, refused(['MODEL_INVALID'])],
    ['4 heads', ['transformer', 'heads'], 4, refused(['MODEL_INVALID'])],
    ['width 48', ['transformer', 'width'], 48, refused(['MODEL_INVALID'])],
    ['block size 2', ['transformer', 'blockSize'], 2, refused(['MODEL_INVALID'])],
    ['vocabulary size 48', ['transformer', 'vocabSize'], 48, refused(['MODEL_INVALID'])],
    ['layers 2^31', ['transformer', 'layers'], 2 ** 31, refused(['MODEL_INVALID'])],
    ['default stride 1e9', ['defaults', 'stride'], 1e9, refused(['MODEL_INVALID'])],
  ];
  for (const [what, path, value, outcome] of dims) manifestCase('dimensions', what, (m) => setPath(m, path, value), outcome);

  // JSON bombs: deep, wide and long. The manifest reader must refuse them quickly, in bounded memory,
  // with a message of a few lines.
  const bomb = (what: string, body: string, outcome: Outcome = refused(['MODEL_INVALID'])): void => add('json-bomb', what, { ops: [{ op: 'write', path: 'manifest.json', bytes: ascii(body) }] }, outcome, { both: true });
  bomb('100,000 nested arrays', `${'['.repeat(100000)}${']'.repeat(100000)}`);
  // Replaced values, not added keys: with a duplicate key JSON.parse keeps the last one (the original).
  const m = new TextDecoder().decode(text(setPath(setPath(fixtureJson(), ['description'], 'DEEP'), ['source', 'notes'], 'DEEPER')));
  bomb('100,000 nested arrays as "description"', m.replace('"DEEP"', `${'['.repeat(100000)}${']'.repeat(100000)}`));
  bomb('50,000 nested objects as "source.notes"', m.replace('"DEEPER"', `${'{"a":'.repeat(50000)}1${'}'.repeat(50000)}`));
  bomb('1,000,000 empty class objects', m.replace(/"classes": \[/, `"classes": [${'{},'.repeat(1_000_000)}`));
  bomb('200,000 classes that look valid', m.replace(/"classes": \[/, `"classes": [${Array.from({ length: 200_000 }, (_, i) => `{"id":${i},"name":"c${i}","color":"#000000"}`).join(',')},`));
  bomb('100,000 unknown keys in "files"', m.replace('"files": {', `"files": {${Array.from({ length: 100_000 }, (_, i) => `"k${i}":${i}`).join(',')},`));
  bomb('a 10 MB name', m.replace(/"name": "[^"]*"/, `"name": "${'n'.repeat(10 * 1024 * 1024)}"`));
  bomb('a 4 MB previewColors', m.replace(/"previewColors": "[^"]*"/, `"previewColors": "${'ab'.repeat(2 * 1024 * 1024)}"`));
  bomb('numbers 1e400', m.replace(/"bytes": \d+/g, '"bytes": 1e400'));
  // Legal JSON (the last "id" wins; whitespace is whitespace): refused for its size or read, never a crash.
  bomb('the key "id" 100,000 times', m.replace(/^\{/, `{${'"id": "x",'.repeat(100_000)}`), typed());
  bomb('8 MB of whitespace before the JSON', `${' '.repeat(8 * 1024 * 1024)}${new TextDecoder().decode(original)}`, typed());

  // Missing files and folders.
  for (const key of FILE_KEYS) add('missing-files', `${fileName(key)} deleted`, { ops: [{ op: 'delete', path: fileName(key) }] }, refused(), { both: key === 'transformer' });
  add('missing-files', 'manifest.json deleted', { ops: [{ op: 'delete', path: 'manifest.json' }] }, refused(['MODEL_INVALID', 'MODEL_NOT_FOUND']), { both: true });
  add('missing-files', 'an empty folder', { ops: FIXTURE_FILES.map((f) => ({ op: 'delete', path: f }) as BundleOp) }, refused(['MODEL_INVALID', 'MODEL_NOT_FOUND']));
  add('missing-files', 'the path of an ONNX file instead of the folder', { ops: [] }, refused(['MODEL_INVALID', 'MODEL_NOT_FOUND']), { both: true, bundleArg: `@bundle/${cond}` });
  add('missing-files', 'a folder that does not exist', { ops: [] }, refused(['MODEL_INVALID', 'MODEL_NOT_FOUND']), { both: true, bundleArg: '@bundle/no-such-folder' });
  return cases;
}
