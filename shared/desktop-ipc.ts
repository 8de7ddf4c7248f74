/**
 * The Electron shell's own IPC contract (everything that is not an engine message): channel names,
 * payload schemas and the renderer-facing `desktop` API that the preload adds to `window.tessera`.
 * It lives in shared/ because three parties use it: main validates every payload with these
 * schemas, the sandboxed preload (no Node) forwards them, and the renderer consumes the types.
 *
 * Paths never appear here: main owns file access and hands the renderer file contents plus an
 * opaque `token` for "save again to the same place" (see electron/main/path-policy.ts).
 */
import { z } from 'zod';
import { ErrorPayloadSchema, type ErrorPayload } from './errors.ts';

/** Every channel is prefixed `tessera:` so the preload can refuse anything else. */
export const IPC = {
  openProject: 'tessera:files.openProject',
  openRecent: 'tessera:files.openRecent',
  listRecent: 'tessera:files.listRecent',
  saveProject: 'tessera:files.saveProject',
  importLayout: 'tessera:files.importLayout',
  exportImage: 'tessera:files.exportImage',
  exportLayout: 'tessera:files.exportLayout',
  recoveryRead: 'tessera:recovery.read',
  recoveryWrite: 'tessera:recovery.write',
  recoveryClear: 'tessera:recovery.clear',
  /** main → renderer: a menu command (the renderer decides, e.g. asks about unsaved changes). */
  menuCommand: 'tessera:menu.command',
  /** main → renderer: a MessagePort to the engine host (in `ports[0]`), first or after a restart. */
  enginePort: 'tessera:engine.port',
  /** main → renderer: the engine process died; in-flight work is lost. */
  engineLost: 'tessera:engine.lost',
} as const;
export type IpcChannel = (typeof IPC)[keyof typeof IPC];

const token = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'a file token from main');
/** A file name for a save dialog's default, never a path: no separators, no leading dot. */
const suggestedName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^/\\:*?"<>|\0]+$/, 'a file name without path separators')
  .refine((s) => !s.startsWith('.'), 'a file name that does not start with a dot');
/** 512 MiB: far above any project, low enough to refuse a runaway renderer. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;
/** Any Uint8Array (whatever its backing buffer type), bounded in size. */
const anyBytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'bytes (a Uint8Array)');
const bytes = anyBytes.refine((b) => b.byteLength <= MAX_FILE_BYTES, 'at most 512 MiB');

/** Invoke payloads (renderer → main), one schema per channel; `z.undefined()` = no argument. */
export const IpcRequestSchemas = {
  [IPC.openProject]: z.undefined(),
  [IPC.openRecent]: z.strictObject({ token }),
  [IPC.listRecent]: z.undefined(),
  [IPC.saveProject]: z.strictObject({ token: token.optional(), suggestedName, bytes }),
  [IPC.importLayout]: z.undefined(),
  [IPC.exportImage]: z.strictObject({ suggestedName, bytes }),
  [IPC.exportLayout]: z.strictObject({ suggestedName, bytes }),
  [IPC.recoveryRead]: z.undefined(),
  [IPC.recoveryWrite]: z.strictObject({ value: z.unknown() }),
  [IPC.recoveryClear]: z.undefined(),
} as const;
export type InvokeChannel = keyof typeof IpcRequestSchemas;
export type IpcRequest<C extends InvokeChannel> = z.input<(typeof IpcRequestSchemas)[C]>;

export const OpenedFileSchema = z.strictObject({ token, name: z.string(), bytes: anyBytes });
export type OpenedFile = z.infer<typeof OpenedFileSchema>;
export const SavedFileSchema = z.strictObject({ token, name: z.string() });
export type SavedFile = z.infer<typeof SavedFileSchema>;
export const RecentFileSchema = z.strictObject({ token, name: z.string() });
export type RecentFile = z.infer<typeof RecentFileSchema>;
export const ImportedFileSchema = z.strictObject({ name: z.string(), bytes: anyBytes });
export type ImportedFile = z.infer<typeof ImportedFileSchema>;
export const ExportedFileSchema = z.strictObject({ name: z.string() });
export type ExportedFile = z.infer<typeof ExportedFileSchema>;

/** What each invoke resolves to when it succeeds; `null` = the user cancelled the dialog. */
export interface IpcResultValues {
  [IPC.openProject]: OpenedFile | null;
  [IPC.openRecent]: OpenedFile;
  [IPC.listRecent]: RecentFile[];
  [IPC.saveProject]: SavedFile | null;
  [IPC.importLayout]: ImportedFile | null;
  [IPC.exportImage]: ExportedFile | null;
  [IPC.exportLayout]: ExportedFile | null;
  [IPC.recoveryRead]: unknown;
  [IPC.recoveryWrite]: null;
  [IPC.recoveryClear]: null;
}

/** Every handler resolves to a result, never a rejection (Electron forwards only a rejection's message). */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };
export const IpcResultSchema = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), value: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: ErrorPayloadSchema }),
]);

export const MENU_COMMANDS = [
  'file.new',
  'file.open',
  'file.openRecent',
  'file.save',
  'file.saveAs',
  'file.importLayout',
  'file.exportImage',
  'file.exportLayout',
  'edit.undo',
  'edit.redo',
  'view.zoomIn',
  'view.zoomOut',
  'view.zoomReset',
  'view.toggleHeatmap',
] as const;
export const MenuCommandSchema = z.discriminatedUnion('command', [
  z.strictObject({ command: z.literal('file.openRecent'), token }),
  z.strictObject({ command: z.enum(MENU_COMMANDS).exclude(['file.openRecent']) }),
]);
export type MenuCommand = z.infer<typeof MenuCommandSchema>;

export const EnginePortNoticeSchema = z.strictObject({
  /** 0 for the first engine, +1 per restart. */
  generation: z.number().int().nonnegative(),
  /** Set after a restart: why the previous engine went away (shown to the user). */
  restartReason: z.string().max(500).optional(),
});
export type EnginePortNotice = z.infer<typeof EnginePortNoticeSchema>;

export const EngineLostNoticeSchema = z.strictObject({
  reason: z.string().max(500),
  /** False when the crash-loop limit was hit: requests fail until the app restarts. */
  willRestart: z.boolean(),
});
export type EngineLostNotice = z.infer<typeof EngineLostNoticeSchema>;

/** The shell's additions to `window.tessera` (see shared/preload-api.ts for the engine part). */
export interface TesseraDesktopApi {
  readonly platform: 'darwin' | 'win32' | 'linux' | 'other';
  openProject(): Promise<IpcResult<OpenedFile | null>>;
  openRecent(token: string): Promise<IpcResult<OpenedFile>>;
  listRecent(): Promise<IpcResult<RecentFile[]>>;
  /** With a token (from open or a previous save): Save. Without: Save As (a dialog). */
  saveProject(request: { token?: string; suggestedName: string; bytes: Uint8Array }): Promise<IpcResult<SavedFile | null>>;
  importLayout(): Promise<IpcResult<ImportedFile | null>>;
  exportImage(request: { suggestedName: string; bytes: Uint8Array }): Promise<IpcResult<ExportedFile | null>>;
  exportLayout(request: { suggestedName: string; bytes: Uint8Array }): Promise<IpcResult<ExportedFile | null>>;
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}
