/** Temporary copies of the fixture bundle with one thing changed, for the bad-input tests. */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Manifest } from '../../../shared/manifest.ts';
import { FIXTURE_DIR, fixtureManifest } from './fixture.ts';

export interface TempBundle {
  dir: string;
  manifest: Manifest;
  cleanup(): void;
}

const created: string[] = [];

export function copyFixture(edit?: (dir: string, manifest: Manifest) => Manifest | void): TempBundle {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tessera-bundle-'));
  created.push(root);
  const dir = path.join(root, 'bundle');
  cpSync(FIXTURE_DIR, dir, { recursive: true, filter: (src) => !src.endsWith('.pt') });
  let manifest = fixtureManifest();
  manifest = edit?.(dir, manifest) ?? manifest;
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return { dir, manifest, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Replaces a bundle file and, if asked, updates the manifest's size and hash to match it. */
export function replaceFile(dir: string, manifest: Manifest, key: keyof Manifest['files'], bytes: Uint8Array, updateManifest: boolean): Manifest {
  const file = manifest.files[key];
  if (!file) throw new Error(`no ${key}`);
  writeFileSync(path.join(dir, file.path), bytes);
  if (!updateManifest) return manifest;
  return { ...manifest, files: { ...manifest.files, [key]: { ...file, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') } } };
}

/** The tensor names of a classic `present = concat(past, new)` transformer graph (bundles before the in-place cache). */
export const CONCAT_CACHE_TENSORS: Manifest['tensors']['transformer'] = {
  inputIds: 'input_ids',
  logits: 'logits',
  pastKey: 'past_key_{i}',
  pastValue: 'past_value_{i}',
  presentKey: 'present_key_{i}',
  presentValue: 'present_value_{i}',
};

/** The tensor names of an in-place transformer graph with `past_length` (2.1.x bundles, before the positions cache). */
export const IN_PLACE_CACHE_TENSORS: Manifest['tensors']['transformer'] = {
  inputIds: 'input_ids',
  logits: 'logits',
  pastLength: 'past_length',
  pastKey: 'past_key_{i}',
  pastValue: 'past_value_{i}',
  presentKey: 'new_key_{i}',
  presentValue: 'new_value_{i}',
};

/** Puts an in-place (`past_length`) transformer graph into a bundle copy, names and hash to match (its int8 variant dropped). */
export function withInPlaceTransformer(dir: string, manifest: Manifest, bytes: Uint8Array): Manifest {
  const edited = replaceFile(dir, manifest, 'transformer', bytes, true);
  const { transformerInt8: _int8, ...files } = edited.files;
  return { ...edited, files, tensors: { ...edited.tensors, transformer: IN_PLACE_CACHE_TENSORS } };
}

/** Puts a concat-cache transformer graph into a bundle copy, with the manifest's names and hash to match. */
export function withConcatTransformer(dir: string, manifest: Manifest, bytes: Uint8Array): Manifest {
  const edited = replaceFile(dir, manifest, 'transformer', bytes, true);
  const { transformerInt8: _int8, ...files } = edited.files;
  return { ...edited, files, tensors: { ...edited.tensors, transformer: CONCAT_CACHE_TENSORS } };
}

export function readBundleFile(dir: string, manifest: Manifest, key: keyof Manifest['files']): Uint8Array {
  return new Uint8Array(readFileSync(path.join(dir, manifest.files[key]?.path ?? '')));
}

export function cleanupBundles(): void {
  for (const d of created.splice(0)) rmSync(d, { recursive: true, force: true });
}
