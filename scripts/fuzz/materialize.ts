/**
 * Puts a CLI case on disk: its input files, the broken bundle (a fresh copy of the fixture with
 * the case's operations applied), an empty output folder; and resolves the `@name` placeholders
 * of its arguments to absolute paths. Afterwards `outputProblems` says what the command left in
 * the output folder that it should not have.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decode } from 'fast-png';
import { FIXTURE_DIR, FIXTURE_FILES, REPO } from './fixture.ts';
import type { BundleSpec, CliCase, InputFile } from './types.ts';

export interface Materialized {
  root: string;
  outDir: string;
  argv: string[];
}

function writeInput(target: string, file: InputFile): void {
  switch (file.kind) {
    case 'bytes':
      writeFileSync(target, file.bytes);
      return;
    case 'asset':
      copyFileSync(path.join(REPO, file.path), target);
      return;
    case 'missing':
      return;
    case 'directory':
      mkdirSync(target, { recursive: true });
      return;
    case 'folder':
      mkdirSync(target, { recursive: true });
      for (const [name, entry] of Object.entries(file.entries)) writeInput(path.join(target, name), entry);
      return;
  }
}

function buildBundle(root: string, spec: BundleSpec): string {
  const dir = path.join(root, 'bundle');
  const outside = path.join(root, 'outside');
  mkdirSync(dir, { recursive: true });
  mkdirSync(outside, { recursive: true });
  for (const f of FIXTURE_FILES) copyFileSync(path.join(FIXTURE_DIR, f), path.join(dir, f));
  for (const [name, content] of Object.entries(spec.outside ?? {})) {
    if (content instanceof Uint8Array) writeFileSync(path.join(outside, name), content);
    else copyFileSync(path.join(FIXTURE_DIR, content.copyOf), path.join(outside, name));
  }
  const at = (p: string): string => path.join(dir, p);
  for (const op of spec.ops) {
    switch (op.op) {
      case 'write':
        writeFileSync(at(op.path), op.bytes);
        break;
      case 'truncate':
        truncateSync(at(op.path), op.length);
        break;
      case 'delete':
        rmSync(at(op.path), { force: true, recursive: true });
        break;
      case 'mkdir':
        mkdirSync(at(op.path), { recursive: true });
        break;
      case 'symlink':
        symlinkSync(op.target.startsWith('@outside/') ? path.join(outside, op.target.slice('@outside/'.length)) : op.target, at(op.path));
        break;
      case 'copy':
        copyFileSync(at(op.from), at(op.to));
        break;
    }
  }
  return dir;
}

/** Writes the case under `root` (which must not exist yet) and returns its argv. */
export function materialize(c: CliCase, root: string): Materialized {
  const inDir = path.join(root, 'in');
  const outDir = path.join(root, 'out');
  mkdirSync(inDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });
  const paths: Record<string, string> = {};
  for (const [name, file] of Object.entries(c.files)) {
    paths[name] = path.join(inDir, name);
    writeInput(paths[name], file);
  }
  if (c.bundle) paths.bundle = buildBundle(root, c.bundle);
  paths.out = path.join(outDir, 'result.png');
  paths.outdir = outDir;
  const argv = c.args.map((a) => a.replace(/^@([a-z]+)/, (whole, name: string) => paths[name] ?? whole));
  return { root, outDir, argv };
}

/** Best-effort removal of a case folder (a symlink loop or a read-only file must not stop the run). */
export function cleanup(root: string): void {
  try {
    rmSync(root, { recursive: true, force: true });
  } catch {
    // left for the OS to clean the temp folder
  }
}

function walk(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...walk(path.join(dir, entry.name), rel));
    else out.push(rel);
  }
  return out;
}

/**
 * What the command left behind that it should not have: on failure, any file at all (the output
 * folder started empty); on success, temporary files and PNGs or JSON that do not decode (a partial write).
 */
export function outputProblems(outDir: string, succeeded: boolean): string[] {
  let files: string[];
  try {
    files = walk(outDir);
  } catch {
    return [];
  }
  if (!succeeded) return files.map((f) => `${f} left after a failure`);
  const problems: string[] = [];
  for (const f of files) {
    const full = path.join(outDir, f);
    if (/(^|\/)\.[^/]*\.tmp$/.test(f) || f.endsWith('.tmp')) problems.push(`${f}: a temporary file left behind`);
    else if (f.endsWith('.png')) {
      try {
        decode(new Uint8Array(readFileSync(full)), { checkCrc: true });
      } catch (error) {
        problems.push(`${f}: not a complete PNG (${error instanceof Error ? error.message : String(error)}; ${statSync(full).size} bytes)`);
      }
    } else if (f.endsWith('.json')) {
      try {
        JSON.parse(readFileSync(full, 'utf8'));
      } catch {
        problems.push(`${f}: not complete JSON`);
      }
    }
  }
  return problems;
}
