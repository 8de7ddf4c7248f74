import { describe, expect, it } from 'vitest';
import { decodeWire, encodeWire } from '../../../shared/wire.ts';
import { collectBuffers } from './socket-protocol.ts';

describe('socket worker hand-off', () => {
  it('finds every buffer of a decoded result once, for transfer', () => {
    const rgba = new Uint8Array(16);
    const message = decodeWire(
      encodeWire({ type: 'reply', id: 'a', ok: true, value: { image: { rgba }, tokens: new Uint16Array(4), entropy: new Float32Array(4), list: [new Uint8Array(2)] } }),
    );
    const buffers = collectBuffers(message);
    expect(buffers).toHaveLength(4);
    expect(new Set(buffers).size).toBe(4);
    expect(collectBuffers({ a: 1, b: 'x', c: null })).toEqual([]);
  });
});
