/** The tiny fixture bundle and its reference samples (assets/fixtures/tessera-tiny). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabelMap } from '../../../shared/labelmap.ts';
import { parseManifest, type Manifest } from '../../../shared/manifest.ts';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURE_DIR = path.join(REPO, 'assets', 'fixtures', 'tessera-tiny');

export interface ReferenceCase {
  name: string;
  sampler: 'exact' | 'cached' | 'parallel';
  stride: number;
  /** The parallel sampler's lead (parallel cases only). */
  lead?: number;
  /** The parallel order these tokens were drawn under, when not `bands` (a model default: defaults.parallelOrder). */
  order?: 'wavefront';
  settings: { temperature: number; topK: number; topP: number };
  seeds: number[];
  /** [sample][row][col] */
  tokens: number[][][];
  minMargin: number;
}

export interface ReferenceLayout {
  name: string;
  layout: LabelMap;
  tokenRows: number;
  tokenCols: number;
  condTokens: number[][];
  cases: ReferenceCase[];
}

export function fixtureManifest(): Manifest {
  const parsed = parseManifest(JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'manifest.json'), 'utf8')));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

export function referenceLayouts(): ReferenceLayout[] {
  const raw = JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'reference-samples.json'), 'utf8')) as {
    layouts: Array<{ name: string; width: number; height: number; tokenRows: number; tokenCols: number; labels: number[][]; condTokens: number[][]; cases: ReferenceCase[] }>;
  };
  return raw.layouts.map((l) => {
    const data = new Uint8Array(l.width * l.height);
    l.labels.forEach((row, y) => row.forEach((v, x) => (data[y * l.width + x] = v)));
    return { name: l.name, layout: { width: l.width, height: l.height, data }, tokenRows: l.tokenRows, tokenCols: l.tokenCols, condTokens: l.condTokens, cases: l.cases };
  });
}
