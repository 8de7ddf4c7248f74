/**
 * The sampling arithmetic shared by the engine and, line for line, by the Python reference
 * sampler: temperature, top-k, top-p and one categorical draw, all in float64 with a fixed
 * summation order, so both sides draw the same token from the same logits. See docs/SAMPLING.md.
 */
import type { Xoshiro128 } from './prng.ts';

export interface SamplingSettings {
  /** 0 means greedy (argmax, no random draw). */
  temperature: number;
  /** 0 disables top-k. */
  topK: number;
  /** 1 disables top-p. */
  topP: number;
}

export interface Draw {
  token: number;
  /** Entropy (nats) of the distribution the token was drawn from, after temperature/top-k/top-p. */
  entropy: number;
}

/** argmax with the lowest index winning ties; NaN logits are an error reported by the caller. */
export function argmax(logits: ArrayLike<number>, offset: number, count: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < count; i++) {
    const v = logits[offset + i] as number;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/**
 * Draws a token from `count` logits starting at `offset` (the first `count` codes of the
 * vocabulary are the image codebook). `scratch` must hold at least `count` doubles; it is reused
 * to avoid allocation in the sampling loop.
 */
export function drawToken(logits: ArrayLike<number>, offset: number, count: number, settings: SamplingSettings, rng: Xoshiro128, scratch: Float64Array): Draw {
  if (settings.temperature === 0) return { token: argmax(logits, offset, count), entropy: 0 };
  const p = scratch;
  let max = -Infinity;
  for (let i = 0; i < count; i++) {
    const v = (logits[offset + i] as number) / settings.temperature;
    p[i] = v;
    if (v > max) max = v;
  }
  // top-k: keep every logit ≥ the k-th largest (ties are kept).
  if (settings.topK > 0 && settings.topK < count) {
    const threshold = kthLargest(p, count, settings.topK);
    for (let i = 0; i < count; i++) if ((p[i] as number) < threshold) p[i] = -Infinity;
  }
  let total = 0;
  for (let i = 0; i < count; i++) {
    const e = Math.exp((p[i] as number) - max);
    p[i] = e;
    total += e;
  }
  // top-p: keep the most probable tokens (ties broken by lower index) until their share reaches p.
  if (settings.topP < 1) {
    const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => (p[b] as number) - (p[a] as number) || a - b);
    const keep = settings.topP * total;
    let cumulative = 0;
    let cut = order.length;
    for (let r = 0; r < order.length; r++) {
      cumulative += p[order[r] as number] as number;
      if (cumulative >= keep) {
        cut = r + 1;
        break;
      }
    }
    for (let r = cut; r < order.length; r++) p[order[r] as number] = 0;
    total = 0;
    for (let i = 0; i < count; i++) total += p[i] as number;
  }
  const target = rng.nextDouble() * total;
  let cumulative = 0;
  let token = -1;
  let lastKept = 0;
  let entropy = 0;
  for (let i = 0; i < count; i++) {
    const w = p[i] as number;
    if (w <= 0) continue;
    lastKept = i;
    const q = w / total;
    entropy -= q * Math.log(q);
    cumulative += w;
    if (token < 0 && cumulative > target) token = i;
  }
  return { token: token < 0 ? lastKept : token, entropy };
}

/** The k-th largest of the first `count` values (k ≥ 1), without sorting the whole array. */
function kthLargest(values: Float64Array, count: number, k: number): number {
  const copy = values.slice(0, count).sort();
  return copy[count - k] as number;
}
