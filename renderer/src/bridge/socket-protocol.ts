/** Messages between the studio and its socket worker (see socket-worker.ts). */
export type ToWorker = { kind: 'connect'; url: string } | { kind: 'send'; message: unknown } | { kind: 'close' };
export type FromWorker = { kind: 'message'; message: unknown } | { kind: 'open' } | { kind: 'closed'; reason: string; code: number };

/** Every distinct ArrayBuffer under `value`, so typed arrays move to the page without a copy. */
export function collectBuffers(value: unknown, out: Set<ArrayBuffer> = new Set()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) out.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const v of value) collectBuffers(v, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) collectBuffers(v, out);
  }
  return [...out];
}
