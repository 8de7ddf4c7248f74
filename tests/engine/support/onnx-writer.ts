/**
 * A minimal ONNX protobuf writer for test graphs (Debian's Python has onnx, but the engine tests
 * should not need Python). Enough for small graphs with symbolic dims: nodes with int/int-list
 * attributes, raw-data initializers, typed inputs and outputs.
 */

const FLOAT = 1;
const INT64 = 7;
export type ElemType = 'float32' | 'int64';
const elem = (t: ElemType): number => (t === 'float32' ? FLOAT : INT64);

class Writer {
  private bytes: number[] = [];
  varint(v: number): this {
    let n = v;
    while (n >= 0x80) {
      this.bytes.push((n % 128) | 0x80);
      n = Math.floor(n / 128);
    }
    this.bytes.push(n);
    return this;
  }
  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }
  int(field: number, v: number): this {
    return this.tag(field, 0).varint(v);
  }
  bytesField(field: number, data: Uint8Array | number[]): this {
    this.tag(field, 2).varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytesField(field, [...Buffer.from(s, 'utf8')]);
  }
  message(field: number, w: Writer): this {
    return this.bytesField(field, w.done());
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  ints?: Record<string, number>;
}

export interface ValueSpec {
  name: string;
  type: ElemType;
  dims: Array<number | string>;
}

export interface InitializerSpec {
  name: string;
  type: ElemType;
  dims: number[];
  values: number[];
}

function valueInfo(v: ValueSpec): Writer {
  const shape = new Writer();
  for (const d of v.dims) shape.message(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d));
  const tensor = new Writer().int(1, elem(v.type)).message(2, shape);
  return new Writer().string(1, v.name).message(2, new Writer().message(1, tensor));
}

function initializer(t: InitializerSpec): Writer {
  const w = new Writer();
  for (const d of t.dims) w.int(1, d);
  w.int(2, elem(t.type)).string(8, t.name);
  const raw = t.type === 'float32' ? new Uint8Array(Float32Array.from(t.values).buffer) : new Uint8Array(BigInt64Array.from(t.values.map(BigInt)).buffer);
  return w.bytesField(9, raw);
}

export function writeModel(spec: { nodes: NodeSpec[]; inputs: ValueSpec[]; outputs: ValueSpec[]; initializers: InitializerSpec[]; opset?: number }): Uint8Array {
  const graph = new Writer();
  for (const n of spec.nodes) {
    const node = new Writer();
    for (const i of n.inputs) node.string(1, i);
    for (const o of n.outputs) node.string(2, o);
    node.string(4, n.op);
    // AttributeProto: name = 1, i = 3, type = 20 (INT = 2)
    for (const [name, value] of Object.entries(n.ints ?? {})) node.message(5, new Writer().string(1, name).int(3, value).int(20, 2));
    graph.message(1, node);
  }
  graph.string(2, 'test-graph');
  for (const t of spec.initializers) graph.message(5, initializer(t));
  for (const v of spec.inputs) graph.message(11, valueInfo(v));
  for (const v of spec.outputs) graph.message(12, valueInfo(v));
  return new Writer()
    .int(1, 8)
    .string(2, 'tessera-tests')
    .message(7, graph)
    .message(8, new Writer().string(1, '').int(2, spec.opset ?? 13))
    .done();
}

/**
 * A transformer with the fixture's tensor names whose logits are all NaN (for NUMERIC_ERROR
 * tests); the caches pass through unchanged, so only the exact sampler (no cache) can use it.
 */
export function nanTransformer(layers: number, heads: number, headDim: number, vocab: number): Uint8Array {
  const nodes: NodeSpec[] = [
    { op: 'Cast', inputs: ['input_ids'], outputs: ['ids_f'], ints: { to: FLOAT } },
    { op: 'Unsqueeze', inputs: ['ids_f', 'axis2'], outputs: ['ids_u'] },
    { op: 'Mul', inputs: ['ids_u', 'nan_row'], outputs: ['logits'] },
  ];
  const inputs: ValueSpec[] = [{ name: 'input_ids', type: 'int64', dims: ['B', 'S'] }];
  const outputs: ValueSpec[] = [{ name: 'logits', type: 'float32', dims: ['B', 'S', vocab] }];
  for (let i = 0; i < layers; i++) {
    for (const kind of ['key', 'value']) {
      inputs.push({ name: `past_${kind}_${i}`, type: 'float32', dims: ['B', heads, 'P', headDim] });
      outputs.push({ name: `present_${kind}_${i}`, type: 'float32', dims: ['B', heads, 'P', headDim] });
      nodes.push({ op: 'Identity', inputs: [`past_${kind}_${i}`], outputs: [`present_${kind}_${i}`] });
    }
  }
  return writeModel({
    nodes,
    inputs,
    outputs,
    initializers: [
      { name: 'axis2', type: 'int64', dims: [1], values: [2] },
      { name: 'nan_row', type: 'float32', dims: [vocab], values: Array.from({ length: vocab }, () => NaN) },
    ],
  });
}

/**
 * An image decoder with the fixture's tensor names whose every pixel depends only on tokens within
 * one token of its own (a 3×3 convolution at token resolution, nearest upsampling by `f`, a 3×3
 * convolution at pixel resolution): no normalisation, no attention. A tiled decode with at least
 * two tokens of context beyond each kept pixel must give exactly the whole decode's values.
 */
export function localDecoder(f: number): Uint8Array {
  // Fixed pseudo-random weights (a linear congruential sequence), small enough to stay in [-1, 1] mostly.
  let state = 12345;
  const weights = (n: number, scale: number): number[] =>
    Array.from({ length: n }, () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return (state / 2147483648 - 0.5) * scale;
    });
  const pad1 = [0, 0, 1, 1, 0, 0, 1, 1];
  return writeModel({
    nodes: [
      { op: 'Unsqueeze', inputs: ['tokens', 'axis1'], outputs: ['t4'] },
      { op: 'Cast', inputs: ['t4'], outputs: ['tf'], ints: { to: FLOAT } },
      { op: 'Conv', inputs: ['tf', 'w_embed', 'b_embed'], outputs: ['e'] },
      { op: 'Sin', inputs: ['e'], outputs: ['s'] },
      { op: 'Pad', inputs: ['s', 'pad1'], outputs: ['sp'] },
      { op: 'Conv', inputs: ['sp', 'w_token'], outputs: ['c'] },
      { op: 'Resize', inputs: ['c', '', 'scales'], outputs: ['up'] },
      { op: 'Pad', inputs: ['up', 'pad1'], outputs: ['upp'] },
      { op: 'Conv', inputs: ['upp', 'w_pixel'], outputs: ['image'] },
    ],
    inputs: [{ name: 'tokens', type: 'int64', dims: ['B', 'h', 'w'] }],
    outputs: [{ name: 'image', type: 'float32', dims: ['B', 3, 'H', 'W'] }],
    initializers: [
      { name: 'axis1', type: 'int64', dims: [1], values: [1] },
      { name: 'w_embed', type: 'float32', dims: [3, 1, 1, 1], values: [0.37, 0.61, 0.83] },
      { name: 'b_embed', type: 'float32', dims: [3], values: [0.1, -0.2, 0.3] },
      { name: 'pad1', type: 'int64', dims: [8], values: pad1 },
      { name: 'w_token', type: 'float32', dims: [3, 3, 3, 3], values: weights(81, 0.4) },
      { name: 'scales', type: 'float32', dims: [4], values: [1, 1, f, f] },
      { name: 'w_pixel', type: 'float32', dims: [3, 3, 3, 3], values: weights(81, 0.5) },
    ],
  });
}
