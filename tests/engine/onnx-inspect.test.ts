import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeModel } from './support/onnx-writer.ts';
import { firstConvInputChannels, outlineGraph } from '../../engine/model/onnx-inspect.ts';

const conv = writeModel({
  nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'] }],
  inputs: [{ name: 'x', type: 'float32', dims: [1, 7, 'H', 'W'] }],
  outputs: [{ name: 'y', type: 'float32', dims: [1, 2, 'H', 'W'] }],
  initializers: [{ name: 'w', type: 'float32', dims: [2, 7, 1, 1], values: Array.from({ length: 14 }, () => 0.5) }],
});

describe('onnx-inspect', () => {
  it('reads node order and initializer shapes', () => {
    const outline = outlineGraph(conv);
    expect(outline.nodes).toEqual([{ opType: 'Conv', inputs: ['x', 'w'], outputs: ['y'] }]);
    expect(outline.initializers.get('w')).toEqual([2, 7, 1, 1]);
    expect(firstConvInputChannels(conv)).toBe(7);
  });

  it('finds the class count of the fixture cond encoder (its one-hot channels)', () => {
    const bytes = new Uint8Array(readFileSync(path.resolve(import.meta.dirname, '../../assets/fixtures/tessera-tiny/cond_encoder.onnx')));
    expect(firstConvInputChannels(bytes)).toBe(5);
  });

  it('rejects truncated bytes with a plain message', () => {
    expect(() => outlineGraph(conv.slice(0, conv.length - 9))).toThrow(/not a readable ONNX model/);
    expect(() => outlineGraph(new Uint8Array([0xff, 0xff, 0xff]))).toThrow(/not a readable ONNX model/);
  });
});
