/**
 * The cached sampler's KV caches kept across chunks, one per window. The chunk schedule is known in
 * advance, so so is every window's next use: a window no later chunk uses (every window of a row
 * once the next row moves the window down, and the window left behind on the current row) is
 * dropped as soon as its last chunk is done, and when the kept caches exceed the byte budget the
 * one needed latest goes first (Belady's rule: optimal for a known sequence; least-recently-used
 * would drop exactly the windows the next row needs first, since the sampler walks each row the
 * same way). Dropping an unusable window never changes what is computed; dropping a usable one
 * only means its prefix is fed again.
 */
import type { Chunk } from '../../shared/grid.ts';
import type { KvCache } from '../model/transformer.ts';

/** A window's cache: positions [0, fed) of its sequence are in it. */
export interface WindowEntry {
  top: number;
  left: number;
  cache: KvCache;
  fed: number;
}

export function windowKey(chunk: Pick<Chunk, 'top' | 'left'>): string {
  return `${chunk.top},${chunk.left}`;
}

/**
 * For each chunk, the index of the next chunk that uses its window (Infinity when none). Chunks for
 * which `runs` is false (an inpainting region without tokens there) use nothing.
 */
export function nextWindowUses(chunks: readonly Chunk[], runs: (index: number) => boolean): number[] {
  const next = new Array<number>(chunks.length).fill(Infinity);
  const seen = new Map<string, number>();
  for (let i = chunks.length - 1; i >= 0; i--) {
    if (!runs(i)) continue;
    const key = windowKey(chunks[i] as Chunk);
    next[i] = seen.get(key) ?? Infinity;
    seen.set(key, i);
  }
  return next;
}

export class WindowCaches {
  private readonly entries = new Map<string, { entry: WindowEntry; nextUse: number; bytes: number }>();
  private bytes = 0;
  /** Most bytes held at once (after storing a chunk's cache, before trimming). */
  peakBytes = 0;

  constructor(
    private readonly bytesOf: (cache: KvCache) => number,
    private readonly maxBytes: number,
    /** Off: keep windows without a later use too (only the budget drops them), to compare with. */
    private readonly dropUnusable: boolean,
  ) {}

  get(key: string): WindowEntry | null {
    return this.entries.get(key)?.entry ?? null;
  }

  /** Keeps a chunk's cache until `nextUse` (a chunk index; Infinity: never again). */
  keep(key: string, entry: WindowEntry, nextUse: number): void {
    this.remove(key);
    const bytes = this.bytesOf(entry.cache);
    this.entries.set(key, { entry, nextUse, bytes });
    this.bytes += bytes;
    this.peakBytes = Math.max(this.peakBytes, this.bytes);
    this.trim();
  }

  private trim(): void {
    if (this.dropUnusable) for (const [key, held] of this.entries) if (held.nextUse === Infinity) this.remove(key);
    while (this.bytes > this.maxBytes) {
      let latest: string | null = null;
      let latestUse = -1;
      for (const [key, held] of this.entries) {
        if (held.nextUse > latestUse) {
          latest = key;
          latestUse = held.nextUse;
        }
      }
      if (latest === null) break;
      this.remove(latest);
    }
  }

  private remove(key: string): void {
    const held = this.entries.get(key);
    if (!held) return;
    this.entries.delete(key);
    this.bytes -= held.bytes;
  }
}
