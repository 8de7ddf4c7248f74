/**
 * What a batch is made of: M named layouts × N seeds, in one fixed order (layout name, then
 * seed), so that item numbers, shard membership and file names are the same on every machine and
 * in every rerun. Everything here is pure: it is the contract that lets `--shard k/n` fan out
 * over any scheduler and lets a resumed run find its own files.
 */
import { TesseraError } from '../../shared/errors.ts';
import type { LabelMap } from '../../shared/labelmap.ts';

export interface NamedLayout {
  name: string;
  layout: LabelMap;
}

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export interface PlannedItem {
  /** Position in the whole (unsharded) batch. */
  index: number;
  layout: string;
  seed: number;
  /** File name inside the output folder, from layout name + seed only (never from the shard). */
  file: string;
}

export const MAX_SEED = 0xffffffff;

/**
 * Parses "1-16", "7", "1,4,10-12" into sorted unique seeds. Overlapping ranges are merged rather
 * than refused, since "the same seed twice" can only mean one image.
 */
export function parseSeeds(text: string, limit = 10000): number[] {
  const seeds = new Set<number>();
  for (const raw of text.split(',')) {
    const part = raw.trim();
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) throw new TesseraError('BAD_INPUT', `Seeds must look like 1-16 or 1,4,10-12 (could not read "${part}").`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from > MAX_SEED || to > MAX_SEED) throw new TesseraError('BAD_INPUT', `Seeds must be 0..${MAX_SEED} (got "${part}").`);
    if (to < from) throw new TesseraError('BAD_INPUT', `The seed range "${part}" runs backwards; write ${to}-${from}.`);
    if (to - from + 1 + seeds.size > limit) throw new TesseraError('BAD_INPUT', `At most ${limit} seeds per batch ("${text}" asks for more).`);
    for (let s = from; s <= to; s++) seeds.add(s);
  }
  return [...seeds].sort((a, b) => a - b);
}

/** "k/n" → shard k of n (1 ≤ k ≤ n). */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new TesseraError('BAD_INPUT', `--shard must be k/n with 1 ≤ k ≤ n, e.g. 2/8 (got "${text}").`);
  return { index, count };
}

/** Item i belongs to shard (i mod n) + 1: round-robin, so every shard gets a mix of layouts. */
export function inShard(itemIndex: number, shard: Shard | null): boolean {
  return shard === null || (itemIndex % shard.count) + 1 === shard.index;
}

export function shardLabel(shard: Shard | null): string {
  return shard === null ? 'all' : `shard-${shard.index}-of-${shard.count}`;
}

/**
 * A layout name as a file-name stem: letters, digits, '.', '_' and '-' only, no leading dot (dot
 * files are this module's temporary files). Other characters become '-'.
 */
export function safeStem(name: string): string {
  const stem = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 120);
  return stem === '' ? 'layout' : stem;
}

export function itemFileName(layoutName: string, seed: number): string {
  return `${safeStem(layoutName)}-seed${seed}.png`;
}

/** Every item of the batch in its canonical order; refuses names that would share files. */
export function planBatch(layouts: readonly NamedLayout[], seeds: readonly number[]): PlannedItem[] {
  if (layouts.length === 0) throw new TesseraError('BAD_INPUT', 'A batch needs at least one layout.');
  if (seeds.length === 0) throw new TesseraError('BAD_INPUT', 'A batch needs at least one seed.');
  const stems = new Map<string, string>();
  for (const l of layouts) {
    const stem = safeStem(l.name);
    const other = stems.get(stem);
    if (other !== undefined) {
      throw new TesseraError('BAD_INPUT', other === l.name ? `The layout name "${l.name}" is used twice.` : `The layout names "${other}" and "${l.name}" both become the file name "${stem}"; rename one.`);
    }
    stems.set(stem, l.name);
  }
  const names = layouts.map((l) => l.name).sort(compareNames);
  const uniqueSeeds = [...new Set(seeds)].sort((a, b) => a - b);
  const items: PlannedItem[] = [];
  for (const layout of names) for (const seed of uniqueSeeds) items.push({ index: items.length, layout, seed, file: itemFileName(layout, seed) });
  return items;
}

/** Code-unit order, not locale order: the same on every machine a shard may run on. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
