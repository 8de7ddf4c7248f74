/**
 * The repository files the corpus is built from: the tiny fixture bundle and its manifest. The
 * manifest is read as plain JSON (not through the schema) so the corpus can still be built, and
 * its broken copies made, while the schema and the fixture change together.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelClass } from '../../shared/manifest.ts';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURE_DIR = path.join(REPO, 'assets', 'fixtures', 'tessera-tiny');
/** The bundle files a broken copy starts from (the torch weights are not part of a bundle). */
export const FIXTURE_FILES = ['manifest.json', 'cond_encoder.onnx', 'image_encoder.onnx', 'image_decoder.onnx', 'transformer.onnx', 'transformer.int8.onnx'] as const;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function fixtureManifestText(): string {
  return readFileSync(path.join(FIXTURE_DIR, 'manifest.json'), 'utf8');
}

/** A fresh copy of the fixture manifest as JSON, to be changed freely. */
export function fixtureJson(): JsonObject {
  return JSON.parse(fixtureManifestText()) as JsonObject;
}

export function fixtureClasses(): ModelClass[] {
  return (fixtureJson().classes as Json[]).map((c) => {
    const o = c as JsonObject;
    return { id: Number(o.id), name: String(o.name), color: String(o.color) };
  });
}

export function fixtureIdVersion(): { id: string; version: string } {
  const m = fixtureJson();
  return { id: String(m.id), version: String(m.version) };
}

export function fixtureFile(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(FIXTURE_DIR, name)));
}
