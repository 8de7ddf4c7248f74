/**
 * Which files main will read or write for the renderer. The renderer never names a path: paths
 * come only from a dialog the user answered, or from the recent-files list main keeps itself, and
 * the renderer gets an opaque token for them (PathGrants). Every path is still checked here before
 * use: the right extension for its kind, a plain absolute path (no NUL, no Windows device or
 * \\?\ namespace), and never inside the app's own folders (so a save can't overwrite app.asar or
 * the engine's model cache).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { TesseraError } from '../../shared/errors.ts';

export type FileKind = 'project' | 'layout' | 'image';

/**
 * Accepted name endings per kind, the first being what a save adds when the user typed none.
 * Projects are the renderer's `.tessera.json` (renderer/src/documents/project-format.ts); a plain
 * `.json` is accepted on open so a renamed project still loads (the renderer validates content).
 */
export const FILE_KINDS: Record<FileKind, { suffixes: readonly string[]; dialogExtensions: readonly string[]; filterName: string }> = {
  project: { suffixes: ['.tessera.json', '.json'], dialogExtensions: ['json'], filterName: 'Tessera project' },
  layout: { suffixes: ['.png'], dialogExtensions: ['png'], filterName: 'Label layout (PNG)' },
  image: { suffixes: ['.png'], dialogExtensions: ['png'], filterName: 'PNG image' },
};

function hasSuffix(kind: FileKind, filePath: string): boolean {
  const lower = filePath.toLowerCase();
  return FILE_KINDS[kind].suffixes.some((suffix) => lower.endsWith(suffix) && lower.length > suffix.length);
}

/** Dialog filters for a kind, in Electron's shape (extensions without the dot). */
export function dialogFilters(kind: FileKind): { name: string; extensions: string[] }[] {
  const { dialogExtensions, filterName } = FILE_KINDS[kind];
  return [{ name: filterName, extensions: [...dialogExtensions] }];
}

export interface PathPolicyOptions {
  /** Folders main never reads or writes on the renderer's behalf (app resources, app data internals). */
  forbiddenRoots: readonly string[];
  pathImpl?: path.PlatformPath;
}

function isInside(child: string, parent: string, p: path.PlatformPath): boolean {
  const relative = p.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !p.isAbsolute(relative));
}

/** Returns null when `filePath` is acceptable for `kind`, else the reason it is not. */
export function checkUserPath(kind: FileKind, filePath: string, options: PathPolicyOptions): string | null {
  const p = options.pathImpl ?? path;
  if (filePath.length === 0 || filePath.length > 4096) return 'empty or overlong path';
  if (filePath.includes('\0')) return 'NUL in path';
  if (/^[\\/]{2}[?.][\\/]/.test(filePath)) return 'Windows device or long-path namespace';
  if (!p.isAbsolute(filePath)) return 'not an absolute path';
  const normalized = p.resolve(filePath);
  if (!hasSuffix(kind, p.basename(normalized))) return `a ${kind} file must end in ${FILE_KINDS[kind].suffixes.join(' or ')}`;
  for (const root of options.forbiddenRoots) {
    if (isInside(normalized, p.resolve(root), p)) return 'inside the application’s own folders';
  }
  return null;
}

/** Save dialogs on Linux don't enforce filters: add the kind's extension when the user left it off. */
export function withExtension(kind: FileKind, filePath: string): string {
  return hasSuffix(kind, filePath) ? filePath : `${filePath}${FILE_KINDS[kind].suffixes[0] ?? ''}`;
}

export function assertUserPath(kind: FileKind, filePath: string, options: PathPolicyOptions): string {
  const problem = checkUserPath(kind, filePath, options);
  if (problem !== null) throw new TesseraError('BAD_INPUT', `Tessera will not use that file: ${problem}.`);
  return (options.pathImpl ?? path).resolve(filePath);
}

/**
 * Opaque tokens for paths the user granted this session. The same path always maps to the same
 * token (so "Save" after "Open" reuses it); tokens are random, so a renderer cannot guess one for
 * a path it was never given, and a token is only valid for the kind it was granted for.
 */
export class PathGrants {
  private readonly byToken = new Map<string, { path: string; kind: FileKind }>();
  private readonly byPath = new Map<string, string>();
  private readonly makeToken: () => string;

  constructor(makeToken: () => string = () => randomBytes(12).toString('base64url')) {
    this.makeToken = makeToken;
  }

  grant(filePath: string, kind: FileKind): string {
    const key = `${kind}\0${filePath}`;
    const existing = this.byPath.get(key);
    if (existing !== undefined) return existing;
    const token = this.makeToken();
    this.byToken.set(token, { path: filePath, kind });
    this.byPath.set(key, token);
    return token;
  }

  resolve(token: string, kind: FileKind): string {
    const entry = this.byToken.get(token);
    if (entry === undefined || entry.kind !== kind) throw new TesseraError('BAD_REQUEST', 'That file is no longer available; open it again.');
    return entry.path;
  }
}
