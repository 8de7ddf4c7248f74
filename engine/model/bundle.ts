/**
 * Where bundles come from. The core only sees this interface: the Node catalog
 * (node/bundle-catalog.ts) finds folders on disk and checks hashes; an in-browser engine would
 * implement it over fetch.
 */
import type { BundleFile, Manifest } from '../../shared/manifest.ts';
import type { ModelInfo } from '../../shared/protocol.ts';
import type { ModelSource } from '../runtime.ts';

export type BundleOrigin = ModelInfo['origin'];

export interface BundleEntry {
  id: string;
  origin: BundleOrigin;
  /** The bundle folder (or URL). */
  path: string;
  manifest: Manifest;
  /** Sum of the manifest's file sizes. */
  bytes: number;
}

/** A folder that looked like a bundle but could not be read: listed, not fatal. */
export interface BundleProblem {
  path: string;
  message: string;
}

export interface Check {
  name: string;
  ok: boolean;
  message: string;
}

export type BundleFileKey = keyof Manifest['files'];

export interface BundleCatalog {
  list(): Promise<{ bundles: BundleEntry[]; problems: BundleProblem[] }>;
  /** A model id from `list`, or a path to a bundle folder; MODEL_NOT_FOUND / MODEL_INVALID otherwise. */
  resolve(ref: string): Promise<BundleEntry>;
  /** The default model: the first embedded bundle; MODEL_NOT_FOUND with advice when there is none. */
  defaultModel(): Promise<BundleEntry>;
  /** Size and sha256 of every file (sha256 cached by size and mtime). Never throws for a bad file. */
  checkFiles(entry: BundleEntry): Promise<Check[]>;
  source(entry: BundleEntry, file: BundleFile): ModelSource;
  /** The bytes of one bundle file (for structure checks that onnxruntime's metadata cannot answer). */
  readBytes(entry: BundleEntry, file: BundleFile): Promise<Uint8Array>;
}

export function totalBytes(manifest: Manifest): number {
  return Object.values(manifest.files).reduce((sum, f) => sum + (f?.bytes ?? 0), 0);
}

export function modelInfo(entry: BundleEntry, backend?: { backend: ModelInfo['backend']; note: string | undefined }): ModelInfo {
  const m = entry.manifest;
  const info: ModelInfo = {
    id: m.id,
    name: m.name,
    version: m.version,
    origin: entry.origin,
    path: entry.path,
    bytes: entry.bytes,
    gridFactor: m.gridFactor,
    window: { rows: m.window.rows, cols: m.window.cols },
    classes: m.classes.map((c) => ({ id: c.id, name: c.name, color: c.color })),
  };
  if (m.defaults) info.defaults = { ...m.defaults };
  if (backend?.backend) info.backend = backend.backend;
  if (backend?.note) info.backendNote = backend.note;
  return info;
}
