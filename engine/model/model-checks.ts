/**
 * Checks a bundle's graphs against its manifest using the runtime's input/output metadata: tensor
 * names, element types, ranks, and every static dimension the manifest predicts (logits width =
 * transformer.vocabSize, cache heads and head size, layer count, RGB output). Symbolic dimensions
 * pass here and are checked again on the first real run.
 */
import type { Manifest } from '../../shared/manifest.ts';
import { describeValueInfo } from '../ort-session.ts';
import type { ModelSession, ValueInfo } from '../runtime.ts';
import type { Check } from './bundle.ts';

export function layerName(template: string, layer: number): string {
  return template.replace('{i}', String(layer));
}

interface Expect {
  name: string;
  type: 'int64' | 'float32';
  rank: number;
  /** Static size expected at an axis (negative axes count from the end). */
  dims?: Array<{ axis: number; size: number; what: string }>;
}

function checkValue(graph: string, kind: 'input' | 'output', values: readonly ValueInfo[], e: Expect, problems: string[]): void {
  const v = values.find((x) => x.name === e.name);
  if (!v) {
    problems.push(`the ${graph} graph has no ${kind} "${e.name}" (it has ${values.map(describeValueInfo).join(', ') || 'none'})`);
    return;
  }
  if (v.type !== undefined && v.type !== e.type) problems.push(`${graph} ${kind} "${e.name}" is ${v.type}, expected ${e.type}`);
  if (v.shape === undefined) return;
  if (v.shape.length !== e.rank) {
    problems.push(`${graph} ${kind} "${e.name}" has rank ${v.shape.length} ([${v.shape.join(',')}]), expected ${e.rank}`);
    return;
  }
  for (const d of e.dims ?? []) {
    const size = v.shape[d.axis < 0 ? v.shape.length + d.axis : d.axis];
    if (typeof size === 'number' && size > 0 && size !== d.size) problems.push(`${graph} ${kind} "${e.name}" has ${size} ${d.what}, but the manifest says ${d.size}`);
  }
}

export interface GraphSet {
  condEncoder: ModelSession;
  imageDecoder: ModelSession;
  transformer: ModelSession;
  imageEncoder?: ModelSession;
}

export function checkGraphs(manifest: Manifest, graphs: GraphSet): Check[] {
  const t = manifest.tensors;
  const checks: Check[] = [];
  const run = (name: string, fn: (problems: string[]) => void): void => {
    const problems: string[] = [];
    fn(problems);
    checks.push({ name, ok: problems.length === 0, message: problems.length === 0 ? 'matches the manifest' : problems.join('; ') });
  };
  run('graph.condEncoder', (p) => {
    checkValue('cond encoder', 'input', graphs.condEncoder.inputs, { name: t.condEncoder.labels, type: 'int64', rank: 3 }, p);
    checkValue('cond encoder', 'output', graphs.condEncoder.outputs, { name: t.condEncoder.tokens, type: 'int64', rank: 3 }, p);
  });
  run('graph.imageDecoder', (p) => {
    checkValue('image decoder', 'input', graphs.imageDecoder.inputs, { name: t.imageDecoder.tokens, type: 'int64', rank: 3 }, p);
    checkValue('image decoder', 'output', graphs.imageDecoder.outputs, { name: t.imageDecoder.image, type: 'float32', rank: 4, dims: [{ axis: 1, size: 3, what: 'channels' }] }, p);
  });
  if (graphs.imageEncoder) {
    const enc = graphs.imageEncoder;
    run('graph.imageEncoder', (p) => {
      checkValue('image encoder', 'input', enc.inputs, { name: t.imageEncoder.image, type: 'float32', rank: 4, dims: [{ axis: 1, size: 3, what: 'channels' }] }, p);
      checkValue('image encoder', 'output', enc.outputs, { name: t.imageEncoder.tokens, type: 'int64', rank: 3 }, p);
    });
  }
  run('graph.transformer', (p) => {
    const g = graphs.transformer;
    const tr = manifest.transformer;
    const headDim = tr.width / tr.heads;
    checkValue('transformer', 'input', g.inputs, { name: t.transformer.inputIds, type: 'int64', rank: 2 }, p);
    checkValue('transformer', 'output', g.outputs, { name: t.transformer.logits, type: 'float32', rank: 3, dims: [{ axis: -1, size: tr.vocabSize, what: 'logits (vocabulary width)' }] }, p);
    const cacheDims = [
      { axis: 1, size: tr.heads, what: 'heads' },
      { axis: 3, size: headDim, what: 'values per head' },
    ];
    for (let i = 0; i < tr.layers; i++) {
      for (const tmpl of [t.transformer.pastKey, t.transformer.pastValue]) checkValue('transformer', 'input', g.inputs, { name: layerName(tmpl, i), type: 'float32', rank: 4, dims: cacheDims }, p);
      for (const tmpl of [t.transformer.presentKey, t.transformer.presentValue]) checkValue('transformer', 'output', g.outputs, { name: layerName(tmpl, i), type: 'float32', rank: 4, dims: cacheDims }, p);
    }
    // An in-place cache graph takes the number of valid cache positions as an int64 scalar.
    if (t.transformer.pastLength !== undefined) checkValue('transformer', 'input', g.inputs, { name: t.transformer.pastLength, type: 'int64', rank: 0 }, p);
    // A positions cache graph takes each new token's position and the valid slots as int64 [B,S] and [B,C].
    for (const name of [t.transformer.positionIds, t.transformer.keyValid]) if (name !== undefined) checkValue('transformer', 'input', g.inputs, { name, type: 'int64', rank: 2 }, p);
    const extra = g.inputs.filter((v) => v.name === layerName(t.transformer.pastKey, tr.layers));
    if (extra.length > 0) p.push(`the transformer graph has a cache input for layer ${tr.layers}, but the manifest says ${tr.layers} layers`);
    const optional = [t.transformer.pastLength, t.transformer.positionIds, t.transformer.keyValid].filter((name): name is string => name !== undefined);
    const known = new Set([t.transformer.inputIds, ...optional, ...Array.from({ length: tr.layers }, (_, i) => [layerName(t.transformer.pastKey, i), layerName(t.transformer.pastValue, i)]).flat()]);
    const unknownInputs = g.inputs.filter((v) => !known.has(v.name));
    if (unknownInputs.length > 0) p.push(`the transformer graph has inputs the manifest does not name: ${unknownInputs.map(describeValueInfo).join(', ')}`);
  });
  return checks;
}
