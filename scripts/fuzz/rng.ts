/**
 * The corpus's seeded randomness: shared/prng.ts's xoshiro128** (integer arithmetic only, so a
 * seed means the same bytes on every machine), with the few helpers the generators need.
 * Math.random is never used: same seed → byte-identical corpus.
 */
import { Xoshiro128 } from '../../shared/prng.ts';

export class Rng {
  private readonly prng: Xoshiro128;

  constructor(seed: number) {
    this.prng = new Xoshiro128(seed >>> 0);
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.prng.nextDouble() * (max - min + 1));
  }

  uint32(): number {
    return this.prng.nextUint32();
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  chance(p: number): boolean {
    return this.prng.nextDouble() < p;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.prng.nextUint32() & 0xff;
    return out;
  }

  /** A seed for a sub-generator (fast-check's `seed`), so each generator draws its own stream. */
  fork(): number {
    return this.prng.nextUint32() | 0;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}
