/**
 * A minimal reader of ONNX protobuf structure: node op types and inputs, and initializer shapes,
 * skipping tensor contents. The engine uses it for what onnxruntime's metadata cannot say, e.g.
 * how many classes the cond encoder's one-hot has (the input channels of its first Conv).
 */

interface Field {
  field: number;
  wire: number;
  /** varint value (wire 0) */
  value: number;
  /** payload (wire 2) */
  start: number;
  end: number;
}

class ProtoError extends Error {}

function* fields(buf: Uint8Array, start: number, end: number): Generator<Field> {
  let pos = start;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw new ProtoError('truncated varint');
      const byte = buf[pos++] as number;
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new ProtoError('varint too long');
  };
  while (pos < end) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) yield { field, wire, value: varint(), start: pos, end: pos };
    else if (wire === 1) {
      pos += 8;
      if (pos > end) throw new ProtoError('truncated fixed64');
    } else if (wire === 5) {
      pos += 4;
      if (pos > end) throw new ProtoError('truncated fixed32');
    } else if (wire === 2) {
      const length = varint();
      const s = pos;
      pos += length;
      if (pos > end) throw new ProtoError('truncated field');
      yield { field, wire, value: length, start: s, end: pos };
    } else throw new ProtoError(`unsupported wire type ${wire}`);
  }
}

function text(buf: Uint8Array, f: Field): string {
  let s = '';
  for (let i = f.start; i < f.end; i++) s += String.fromCharCode(buf[i] as number);
  return s;
}

/** Reads the varints of a packed repeated field. */
function packedVarints(buf: Uint8Array, f: Field, out: number[]): void {
  let pos = f.start;
  while (pos < f.end) {
    let v = 0;
    let scale = 1;
    for (;;) {
      if (pos >= f.end) throw new ProtoError('truncated packed varint');
      const byte = buf[pos++] as number;
      v += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) break;
    }
    out.push(v);
  }
}

/** TensorProto: dims = field 1 (plain or packed), name = field 8; the data fields are skipped. */
function dimsOf(buf: Uint8Array, tensor: Field): { name: string; dims: number[] } {
  const dims: number[] = [];
  let name = '';
  for (const f of fields(buf, tensor.start, tensor.end)) {
    if (f.field === 1 && f.wire === 0) dims.push(f.value);
    else if (f.field === 1 && f.wire === 2) packedVarints(buf, f, dims);
    else if (f.field === 8 && f.wire === 2) name = text(buf, f);
  }
  return { name, dims };
}

export interface GraphOutline {
  nodes: Array<{ opType: string; inputs: string[]; outputs: string[] }>;
  initializers: Map<string, number[]>;
}

/** Reads node and initializer structure; throws a plain Error if the bytes are not a readable model. */
export function outlineGraph(bytes: Uint8Array): GraphOutline {
  const outline: GraphOutline = { nodes: [], initializers: new Map() };
  try {
    let graph: Field | undefined;
    for (const f of fields(bytes, 0, bytes.length)) if (f.field === 7 && f.wire === 2) graph = f;
    if (!graph) throw new ProtoError('no graph');
    for (const f of fields(bytes, graph.start, graph.end)) {
      if (f.field === 5 && f.wire === 2) {
        const t = dimsOf(bytes, f);
        outline.initializers.set(t.name, t.dims);
      } else if (f.field === 1 && f.wire === 2) {
        const node = { opType: '', inputs: [] as string[], outputs: [] as string[] };
        for (const nf of fields(bytes, f.start, f.end)) {
          if (nf.field === 1 && nf.wire === 2) node.inputs.push(text(bytes, nf));
          else if (nf.field === 2 && nf.wire === 2) node.outputs.push(text(bytes, nf));
          else if (nf.field === 4 && nf.wire === 2) node.opType = text(bytes, nf);
          else if (nf.field === 5 && nf.wire === 2 && node.opType === 'Constant') {
            for (const af of fields(bytes, nf.start, nf.end)) if (af.field === 5 && af.wire === 2) outline.initializers.set('', dimsOf(bytes, af).dims);
          }
        }
        // A Constant node's tensor is keyed by the node's output name.
        if (node.opType === 'Constant' && outline.initializers.has('')) {
          const dims = outline.initializers.get('') as number[];
          outline.initializers.delete('');
          for (const o of node.outputs) outline.initializers.set(o, dims);
        }
        outline.nodes.push(node);
      }
    }
  } catch (error) {
    if (error instanceof ProtoError) throw new Error(`not a readable ONNX model (${error.message})`);
    throw error;
  }
  return outline;
}

/** Input channels of the first Conv in graph order (its weight is [out, in, kh, kw]); null if none. */
export function firstConvInputChannels(bytes: Uint8Array): number | null {
  const outline = outlineGraph(bytes);
  const conv = outline.nodes.find((n) => n.opType === 'Conv');
  if (!conv) return null;
  const dims = outline.initializers.get(conv.inputs[1] ?? '');
  return dims && dims.length === 4 ? (dims[1] as number) : null;
}
