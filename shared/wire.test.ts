/**
 * decodeWire on hostile input, found by the bad-input corpus (scripts/fuzz, serve door): a 20 MB
 * message of 10 million numbers held serve mode's event loop for ~20 s (a JSON.parse reviver runs
 * JavaScript per value), and 100,000 nested arrays overflowed the reviver's recursion.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeWire, encodeWire } from './wire.ts';

afterEach(() => vi.restoreAllMocks());

describe('decodeWire', () => {
  it('parses without a per-value reviver', () => {
    const parse = vi.spyOn(JSON, 'parse');
    decodeWire(encodeWire({ a: [1, 2, new Uint8Array([1])] }));
    expect(parse).toHaveBeenCalledTimes(1);
    expect(parse.mock.calls[0]).toHaveLength(1);
  });

  it('decodes typed arrays anywhere, including at the top and inside arrays', () => {
    const message = { top: new Uint8Array([1, 2]), list: [new Float32Array([0.5]), { deep: [new Uint16Array([7, 8])] }], n: 3, s: 'x', none: null };
    expect(decodeWire(encodeWire(message))).toEqual(message);
    expect(decodeWire(encodeWire(new Int32Array([-1, 2])))).toEqual(new Int32Array([-1, 2]));
  });

  it('survives 100,000 nested arrays and a million numbers', () => {
    expect(() => decodeWire(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).not.toThrow();
    const big = decodeWire(`{"a":[${'1,'.repeat(1_000_000)}1]}`) as { a: number[] };
    expect(big.a).toHaveLength(1_000_001);
  });

  it('keeps "__proto__" an own key, as JSON.parse does, even when it holds a typed array', () => {
    const value = decodeWire('{"__proto__":{"$typed":"u8","b64":"AAE="},"b":1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual(new Uint8Array([0, 1]));
    expect(({} as Record<string, unknown>).b).toBeUndefined();
  });

  it('still refuses malformed base64 by throwing (serve mode answers 1007)', () => {
    expect(() => decodeWire('{"x":{"$typed":"u8","b64":"%%%"}}')).toThrow();
  });
});
