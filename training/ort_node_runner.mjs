// Runs ONNX models with onnxruntime-node for the Python toolkit's parity tests (Debian has no
// onnxruntime for Python). Usage: node ort_node_runner.mjs request.json response.json
// request: {"runs": [{"model": path, "feeds": {name: {"type", "dims", "data": base64}}}], "threads": n}
// Tensors travel as little-endian bytes in base64; int64 uses BigInt64Array.
import { readFileSync, writeFileSync } from 'node:fs';
import ort from 'onnxruntime-node';

const ARRAYS = { float32: Float32Array, int64: BigInt64Array, int32: Int32Array, uint8: Uint8Array };

function decode(t) {
  const bytes = Buffer.from(t.data, 'base64');
  const Ctor = ARRAYS[t.type];
  if (!Ctor) throw new Error(`unsupported tensor type ${t.type}`);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new ort.Tensor(t.type, new Ctor(copy.buffer, 0, bytes.length / Ctor.BYTES_PER_ELEMENT), t.dims);
}

function encode(tensor) {
  const data = tensor.data;
  return { type: tensor.type, dims: Array.from(tensor.dims), data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') };
}

const [requestPath, responsePath] = process.argv.slice(2);
const request = JSON.parse(readFileSync(requestPath, 'utf8'));
const sessions = new Map();
const results = [];
for (const run of request.runs) {
  let session = sessions.get(run.model);
  if (!session) {
    session = await ort.InferenceSession.create(run.model, { intraOpNumThreads: request.threads ?? 1, interOpNumThreads: 1 });
    sessions.set(run.model, session);
  }
  const feeds = {};
  for (const [name, t] of Object.entries(run.feeds)) feeds[name] = decode(t);
  const outputs = await session.run(feeds);
  const encoded = {};
  for (const [name, t] of Object.entries(outputs)) encoded[name] = encode(t);
  results.push(encoded);
}
writeFileSync(responsePath, JSON.stringify({ results }));
