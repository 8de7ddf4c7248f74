/**
 * One token from one position's logits: shared/sampling.ts drawToken (the specification both
 * the engine and the Python reference implement) plus the checks the engine adds: NaN or +∞
 * logits are a NUMERIC_ERROR, and greedy draws report the entropy of the untempered softmax (the
 * model's own uncertainty), since the "distribution" of an argmax has none.
 */
import { TesseraError } from '../../shared/errors.ts';
import type { Xoshiro128 } from '../../shared/prng.ts';
import { drawToken, type Draw, type SamplingSettings } from '../../shared/sampling.ts';

export function softmaxEntropy(logits: Float32Array, offset: number, count: number): number {
  let max = -Infinity;
  for (let i = 0; i < count; i++) max = Math.max(max, logits[offset + i] as number);
  let total = 0;
  for (let i = 0; i < count; i++) total += Math.exp((logits[offset + i] as number) - max);
  let entropy = 0;
  for (let i = 0; i < count; i++) {
    const q = Math.exp((logits[offset + i] as number) - max) / total;
    if (q > 0) entropy -= q * Math.log(q);
  }
  return entropy;
}

export function checkedDraw(
  logits: Float32Array,
  offset: number,
  count: number,
  settings: SamplingSettings,
  rng: Xoshiro128,
  scratch: Float64Array,
  where: () => string,
): Draw {
  let usable = false;
  for (let i = 0; i < count; i++) {
    const v = logits[offset + i] as number;
    if (Number.isNaN(v) || v === Infinity) {
      throw new TesseraError('NUMERIC_ERROR', `The transformer produced ${Number.isNaN(v) ? 'NaN' : 'infinite'} logits at ${where()} (code ${i}). The model file may be damaged, or this backend computes it wrongly: try --backend cpu.`, {
        code: i,
      });
    }
    if (v !== -Infinity) usable = true;
  }
  if (!usable) throw new TesseraError('NUMERIC_ERROR', `Every logit is -∞ at ${where()}: nothing can be sampled.`);
  const draw = drawToken(logits, offset, count, settings, rng, scratch);
  return settings.temperature === 0 ? { token: draw.token, entropy: softmaxEntropy(logits, offset, count) } : draw;
}
