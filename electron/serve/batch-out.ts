/**
 * Batch output in serve mode: a browser may only name a folder UNDER the server's output root
 * (--out). Absolute paths and `..` escapes are refused, so a page can never make the engine write
 * elsewhere on the GPU box.
 */
import path from 'node:path';
import { TesseraError } from '../../shared/errors.ts';

export function resolveBatchOutDir(root: string, requested: string | undefined, now: Date = new Date()): string {
  const base = path.resolve(root);
  const name = requested?.trim() ? requested.trim() : `batch-${now.toISOString().replace(/[:.]/g, '-').slice(0, 19)}`;
  if (path.isAbsolute(name) || /^[a-zA-Z]:/.test(name)) {
    throw new TesseraError('BAD_REQUEST', `Serve mode writes batches only under its output root (${base}); give a folder name, not an absolute path.`);
  }
  const resolved = path.resolve(base, name);
  const rel = path.relative(base, resolved);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new TesseraError('BAD_REQUEST', `The batch folder "${name}" would be outside the output root (${base}).`);
  }
  return resolved;
}
