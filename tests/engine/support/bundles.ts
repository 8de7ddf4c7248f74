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

export function readBundleFile(dir: string, manifest: Manifest, key: keyof Manifest['files']): Uint8Array {
  return new Uint8Array(readFileSync(path.join(dir, manifest.files[key]?.path ?? '')));
}

export function cleanupBundles(): void {
  for (const d of created.splice(0)) rmSync(d, { recursive: true, force: true });
}
