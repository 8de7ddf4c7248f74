/**
 * The seeded bad-input corpus: `buildCorpus(seed)` returns every case of every door, with stable
 * ids, and the same seed gives byte-identical cases (checked by `corpusDigest`, a sha256 over a
 * canonical encoding of every case, typed arrays and Maps included). It also decides, from the
 * seed, which cases also run through a spawned `tessera` process (a stratified sample: at least one
 * per category of the CLI doors) and which make up the fast slice that `npm test` runs.
 *
 *   tsx scripts/fuzz/corpus.ts [--seed N]        prints the counts per door and category, and the digest
 */
import { createHash, type Hash } from 'node:crypto';
import { bundleCases } from './corpus-bundle.ts';
import { ipcCases } from './corpus-ipc.ts';
import { pngCases } from './corpus-png.ts';
import { serveCases } from './corpus-serve.ts';
import { Rng } from './rng.ts';
import { DOORS, type Door, type FuzzCase } from './types.ts';

export const DEFAULT_SEED = 20240611;

export interface Corpus {
  seed: number;
  cases: FuzzCase[];
}

export function buildCorpus(seed: number = DEFAULT_SEED, doors: readonly Door[] = DOORS): Corpus {
  const root = new Rng(seed);
  // Each door draws from its own stream, so building one door alone gives the same cases.
  const streams = { png: root.fork(), bundle: root.fork(), serve: root.fork(), ipc: root.fork() };
  const cases: FuzzCase[] = [];
  if (doors.includes('png')) cases.push(...pngCases(new Rng(streams.png >>> 0)));
  if (doors.includes('bundle')) cases.push(...bundleCases(new Rng(streams.bundle >>> 0)));
  if (doors.includes('serve')) cases.push(...serveCases(new Rng(streams.serve >>> 0)));
  if (doors.includes('ipc')) cases.push(...ipcCases(new Rng(streams.ipc >>> 0)));
  const counters = new Map<string, number>();
  for (const c of cases) {
    const key = `${c.door}-${c.category}`;
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    c.id = `${key}-${String(n).padStart(3, '0')}`;
  }
  return { seed, cases };
}

/** Canonical bytes of any structured-clone value, fed to a hash: same value → same digest, on any machine. */
function feed(hash: Hash, value: unknown, depth = 0): void {
  const tag = (t: string): void => {
    hash.update(t);
  };
  if (depth > 200_000) throw new Error('value too deep to digest');
  if (value === undefined) return tag('u');
  if (value === null) return tag('n');
  switch (typeof value) {
    case 'boolean':
      return tag(value ? 'T' : 'F');
    case 'number':
      return tag(`d${Object.is(value, -0) ? '-0' : String(value)};`);
    case 'bigint':
      return tag(`b${value.toString()};`);
    case 'string':
      tag(`s${value.length}:`);
      hash.update(value, 'utf8');
      return;
    default:
      break;
  }
  if (ArrayBuffer.isView(value)) {
    tag(`v${value.constructor.name}${value.byteLength}:`);
    hash.update(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    return;
  }
  if (value instanceof ArrayBuffer) {
    tag(`a${value.byteLength}:`);
    hash.update(new Uint8Array(value));
    return;
  }
  if (value instanceof Date) return tag(`D${value.getTime()};`);
  if (value instanceof RegExp) return tag(`R${value.toString()};`);
  if (value instanceof Error) return tag(`E${value.name}:${value.message};`);
  if (value instanceof Map) {
    tag(`M${value.size}{`);
    for (const [k, v] of value) {
      feed(hash, k, depth + 1);
      feed(hash, v, depth + 1);
    }
    return tag('}');
  }
  if (value instanceof Set) {
    tag(`S${value.size}{`);
    for (const v of value) feed(hash, v, depth + 1);
    return tag('}');
  }
  if (Array.isArray(value)) {
    // Sparse arrays: only the indices that exist (a 2^32 − 1 hole is one entry).
    const keys = Object.keys(value);
    tag(`A${value.length}/${keys.length}[`);
    for (const k of keys) {
      tag(`${k}=`);
      feed(hash, (value as unknown[])[Number(k)], depth + 1);
    }
    return tag(']');
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    tag(`O${keys.length}{`);
    for (const k of keys) {
      tag(`${k.length}:${k}=`);
      feed(hash, (value as Record<string, unknown>)[k], depth + 1);
    }
    return tag('}');
  }
  throw new Error(`cannot digest a ${typeof value}`);
}

/** sha256 over every case, in order: equal digests mean byte-identical corpora. */
export function corpusDigest(cases: readonly FuzzCase[]): string {
  const hash = createHash('sha256');
  for (const c of cases) feed(hash, c);
  return hash.digest('hex');
}

/**
 * Cases that also run through a real `tessera` process: one per category of the CLI doors, plus
 * every tenth case at random, chosen by the seed.
 */
export function cliSample(corpus: Corpus): Set<string> {
  const rng = new Rng((corpus.seed ^ 0x5eed) >>> 0);
  const picked = new Set<string>();
  const byCategory = new Map<string, string[]>();
  for (const c of corpus.cases) {
    if (c.door !== 'png' && c.door !== 'bundle') continue;
    const key = `${c.door}/${c.category}`;
    byCategory.set(key, [...(byCategory.get(key) ?? []), c.id]);
    if (rng.chance(0.04)) picked.add(c.id);
  }
  for (const ids of byCategory.values()) picked.add(rng.pick(ids));
  return picked;
}

/**
 * The fast slice for `npm test`: one case per category of every door (so every kind of input is
 * seen), then random cases up to `size`. Cases with a long timeout (the biggest bombs) are left to
 * the full run.
 */
export function fastSlice(corpus: Corpus, size = 100): Set<string> {
  const rng = new Rng((corpus.seed ^ 0xfa57) >>> 0);
  const quick = corpus.cases.filter((c) => c.expect.timeoutMs <= 30_000);
  const byCategory = new Map<string, string[]>();
  for (const c of quick) byCategory.set(`${c.door}/${c.category}`, [...(byCategory.get(`${c.door}/${c.category}`) ?? []), c.id]);
  const picked = new Set<string>();
  for (const ids of byCategory.values()) picked.add(rng.pick(ids));
  const rest = rng.shuffle(quick.map((c) => c.id).filter((id) => !picked.has(id)));
  for (const id of rest) {
    if (picked.size >= size) break;
    picked.add(id);
  }
  return picked;
}

/** Counts per door and category. */
export function describeCorpus(corpus: Corpus): string {
  const lines: string[] = [];
  for (const door of DOORS) {
    const cases = corpus.cases.filter((c) => c.door === door);
    if (cases.length === 0) continue;
    const byCategory = new Map<string, number>();
    for (const c of cases) byCategory.set(c.category, (byCategory.get(c.category) ?? 0) + 1);
    lines.push(`${door}: ${cases.length} cases — ${[...byCategory].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  }
  lines.push(`total: ${corpus.cases.length} cases`);
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('corpus.ts')) {
  const at = process.argv.indexOf('--seed');
  const seed = at >= 0 ? Number(process.argv[at + 1]) : DEFAULT_SEED;
  const t0 = performance.now();
  const corpus = buildCorpus(seed);
  const built = performance.now() - t0;
  console.log(describeCorpus(corpus));
  console.log(`seed ${seed}, digest ${corpusDigest(corpus.cases)} (built in ${(built / 1000).toFixed(1)} s)`);
  console.log(`CLI sample: ${cliSample(corpus).size} cases; fast slice: ${fastSlice(corpus).size} cases`);
}
