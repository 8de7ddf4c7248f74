/** Electron's native open/save dialogs behind the file service's `Dialogs` interface. */
import path from 'node:path';
import { app, dialog, type BrowserWindow } from 'electron';
import type { Dialogs } from './file-service.ts';
import { dialogFilters, type FileKind } from './path-policy.ts';

export function electronDialogs(parent: () => BrowserWindow | null): Dialogs {
  // The folder of the last pick, so Save As starts where the user last was (main-only state).
  let lastDir: string | null = null;
  const remember = (filePath: string): string => {
    lastDir = path.dirname(filePath);
    return filePath;
  };
  return {
    async open(kind: FileKind) {
      const options = { properties: ['openFile' as const], filters: dialogFilters(kind), ...(lastDir ? { defaultPath: lastDir } : {}) };
      const window = parent();
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      const chosen = result.canceled ? undefined : result.filePaths[0];
      return chosen === undefined ? null : remember(chosen);
    },
    async save(kind: FileKind, suggestedName: string) {
      const options = { defaultPath: path.join(lastDir ?? app.getPath('documents'), suggestedName), filters: dialogFilters(kind), properties: ['showOverwriteConfirmation' as const] };
      const window = parent();
      const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : remember(result.filePath);
    },
  };
}
