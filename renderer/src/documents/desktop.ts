/**
 * Electron integration of the file commands: when the shell's `window.tessera.desktop` exists,
 * saving, opening, importing and exporting go through native dialogs (main owns the paths; we
 * get bytes and an opaque token for "save again"), and the application menu's commands arrive
 * here. In the browser the same commands fall back to downloads and the file picker.
 */
import type { IpcResult, MenuCommand, OpenedFile, TesseraDesktopApi } from '../../../shared/desktop-ipc.ts';
import { TesseraError } from '../../../shared/errors.ts';

export function desktopApi(): TesseraDesktopApi | null {
  return typeof window !== 'undefined' ? (window.tessera?.desktop ?? null) : null;
}

/** The file the project was opened from or last saved to (for Save without a dialog). */
let projectFileToken: string | undefined;

export function setProjectFileToken(token: string | undefined): void {
  projectFileToken = token;
}

export function projectFileTokenNow(): string | undefined {
  return projectFileToken;
}

/** Unwraps a shell result; null = the person cancelled the dialog. */
export async function unwrapDesktop<T>(result: Promise<IpcResult<T>>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new TesseraError(r.error.code, r.error.message, r.error.details);
  return r.value;
}

export function fileFromOpened(opened: Pick<OpenedFile, 'name' | 'bytes'>): File {
  const type = /\.json$/i.test(opened.name) ? 'application/json' : /\.png$/i.test(opened.name) ? 'image/png' : '';
  return new File([new Uint8Array(opened.bytes)], opened.name, { type });
}

export type { MenuCommand };
