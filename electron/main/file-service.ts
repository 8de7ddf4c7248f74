/**
 * Main's file access on the renderer's behalf: dialogs, reads and atomic writes, the recent list,
 * and path tokens. Electron's `dialog` is injected as `Dialogs`, so the whole flow (open → token →
 * save to the same place; cancel; refused paths; missing recent files) is tested with fakes.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TesseraError } from '../../shared/errors.ts';
import { MAX_FILE_BYTES, type ExportedFile, type ImportedFile, type OpenedFile, type RecentFile, type SavedFile } from '../../shared/desktop-ipc.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { assertUserPath, PathGrants, withExtension, type FileKind, type PathPolicyOptions } from './path-policy.ts';
import { addRecent, removeRecent } from './recent-files.ts';

export interface Dialogs {
  /** The chosen path, or null when cancelled. */
  open(kind: FileKind): Promise<string | null>;
  save(kind: FileKind, suggestedName: string): Promise<string | null>;
}

export interface RecentStore {
  load(): Promise<string[]>;
  save(paths: readonly string[]): Promise<void>;
}

export interface FileServiceOptions {
  dialogs: Dialogs;
  recent: RecentStore;
  policy: PathPolicyOptions;
  grants?: PathGrants;
  /** Called after the recent list changes (main rebuilds the menu). */
  onRecentChanged?: (recent: RecentFile[]) => void;
}

async function readUserFile(filePath: string): Promise<Uint8Array<ArrayBuffer>> {
  let stat;
  try {
    stat = await fs.stat(filePath);
  } catch {
    throw new TesseraError('IO_ERROR', `Cannot open ${path.basename(filePath)}: it no longer exists.`);
  }
  if (!stat.isFile()) throw new TesseraError('BAD_INPUT', `${path.basename(filePath)} is not a file.`);
  if (stat.size > MAX_FILE_BYTES) throw new TesseraError('BAD_INPUT', `${path.basename(filePath)} is larger than 512 MiB.`);
  try {
    // A fresh, exactly-sized copy: structured clone sends a view's whole backing buffer.
    return new Uint8Array(await fs.readFile(filePath));
  } catch (error) {
    throw new TesseraError('IO_ERROR', `Cannot read ${path.basename(filePath)}: ${(error as Error).message}`);
  }
}

async function writeUserFile(filePath: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(filePath, bytes);
  } catch (error) {
    throw new TesseraError('IO_ERROR', `Cannot save ${path.basename(filePath)}: ${(error as Error).message}`);
  }
}

export function createFileService(options: FileServiceOptions) {
  const grants = options.grants ?? new PathGrants();
  const check = (kind: FileKind, filePath: string) => assertUserPath(kind, filePath, options.policy);

  async function rememberRecent(filePath: string | null, removed?: string): Promise<void> {
    let paths = await options.recent.load();
    if (removed !== undefined) paths = removeRecent(paths, removed);
    if (filePath !== null) paths = addRecent(paths, filePath);
    await options.recent.save(paths);
    options.onRecentChanged?.(toRecentFiles(paths));
  }

  function toRecentFiles(paths: readonly string[]): RecentFile[] {
    return paths.map((p) => ({ token: grants.grant(p, 'project'), name: path.basename(p) }));
  }

  async function openProjectAt(filePath: string): Promise<OpenedFile> {
    const checked = check('project', filePath);
    const bytes = await readUserFile(checked);
    await rememberRecent(checked);
    return { token: grants.grant(checked, 'project'), name: path.basename(checked), bytes };
  }

  return {
    grants,

    async openProject(): Promise<OpenedFile | null> {
      const chosen = await options.dialogs.open('project');
      return chosen === null ? null : openProjectAt(chosen);
    },

    async openRecent(token: string): Promise<OpenedFile> {
      const filePath = grants.resolve(token, 'project');
      try {
        return await openProjectAt(filePath);
      } catch (error) {
        // A recent entry that can no longer be opened leaves the list.
        if (error instanceof TesseraError && error.code === 'IO_ERROR') await rememberRecent(null, filePath);
        throw error;
      }
    },

    async listRecent(): Promise<RecentFile[]> {
      return toRecentFiles(await options.recent.load());
    },

    async saveProject(request: { token?: string | undefined; suggestedName: string; bytes: Uint8Array }): Promise<SavedFile | null> {
      let target: string;
      if (request.token !== undefined) {
        target = grants.resolve(request.token, 'project');
      } else {
        const chosen = await options.dialogs.save('project', withExtension('project', request.suggestedName));
        if (chosen === null) return null;
        target = withExtension('project', chosen);
      }
      const checked = check('project', target);
      await writeUserFile(checked, request.bytes);
      await rememberRecent(checked);
      return { token: grants.grant(checked, 'project'), name: path.basename(checked) };
    },

    async importLayout(): Promise<ImportedFile | null> {
      const chosen = await options.dialogs.open('layout');
      if (chosen === null) return null;
      const checked = check('layout', chosen);
      return { name: path.basename(checked), bytes: await readUserFile(checked) };
    },

    async exportFile(kind: 'image' | 'layout', request: { suggestedName: string; bytes: Uint8Array }): Promise<ExportedFile | null> {
      const chosen = await options.dialogs.save(kind, withExtension(kind, request.suggestedName));
      if (chosen === null) return null;
      const checked = check(kind, withExtension(kind, chosen));
      await writeUserFile(checked, request.bytes);
      return { name: path.basename(checked) };
    },
  };
}

export type FileService = ReturnType<typeof createFileService>;
