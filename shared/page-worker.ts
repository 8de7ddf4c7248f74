/**
 * The messages between the studio page and its in-page engine Worker (web/worker/engine-worker.ts,
 * the static build's engine). Protocol requests and replies travel inside `request` / `message`
 * as they are (structured clone; both ends parse them with shared/protocol.ts); the envelope adds
 * what only an in-page host has: start-up options, the batch folders the Worker keeps in the
 * browser (IndexedDB, or its memory when the browser gives it no storage: `storage` says which),
 * listed, zipped for download and deleted, and a fatal error that tells the page to restart the
 * Worker. Both ends parse every envelope with these schemas.
 */
import { z } from 'zod';
import { BackendSchema } from './protocol.ts';

/** `?backend=` in the page URL (docs: README "The studio in a browser"): forces a backend for every model the Worker loads. */
export const PageBackendOverrideSchema = BackendSchema.exclude(['cpu']);
export type PageBackendOverride = z.infer<typeof PageBackendOverrideSchema>;

const requestId = z.string().min(1).max(128);
const batchFolder = z.string().min(1).max(1024);

/** A batch folder the Worker keeps: its finished files (temporaries left out) and all its bytes. */
export const StoredBatchFolderSchema = z.strictObject({ name: batchFolder, files: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() });
export type StoredBatchFolder = z.infer<typeof StoredBatchFolderSchema>;

export const PageToWorkerSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('init'),
    /** The static build's root URL: models/ and ort/ are fetched from under it, nowhere else. */
    baseUrl: z.url(),
    /** null = each model.load's own backend ('auto' by default). */
    forceBackend: PageBackendOverrideSchema.nullable(),
  }),
  z.strictObject({ kind: z.literal('request'), message: z.unknown() }),
  /** Zip of a batch output folder the Worker keeps (the static build's batch FS, web/batch/). */
  z.strictObject({ kind: z.literal('archive'), id: requestId, folder: batchFolder }),
  /** The stored batch folders, after deleting `remove` (with everything in it) when it is not null. */
  z.strictObject({ kind: z.literal('folders'), id: requestId, remove: batchFolder.nullable() }),
]);
export type PageToWorker = z.infer<typeof PageToWorkerSchema>;

export const WorkerToPageSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('ready') }),
  z.strictObject({ kind: z.literal('message'), message: z.unknown() }),
  z.strictObject({
    kind: z.literal('archive'),
    id: requestId,
    result: z.union([
      z.strictObject({ ok: z.literal(true), name: z.string().min(1).max(1100), bytes: z.instanceof(Uint8Array) }),
      z.strictObject({ ok: z.literal(false), message: z.string().max(4096) }),
    ]),
  }),
  z.strictObject({
    kind: z.literal('folders'),
    id: requestId,
    result: z.union([
      z.strictObject({ ok: z.literal(true), folders: z.array(StoredBatchFolderSchema).max(10_000) }),
      z.strictObject({ ok: z.literal(false), message: z.string().max(4096) }),
    ]),
  }),
  /**
   * Where the Worker keeps batch folders, sent once when it has chosen: persistent (IndexedDB,
   * they survive a reload and an engine restart) or not (its memory: the page warns the user).
   */
  z.strictObject({ kind: z.literal('storage'), persistent: z.boolean(), detail: z.string().max(1024) }),
  /** Something the Worker cannot recover from (its WASM heap is gone): the page restarts it. */
  z.strictObject({ kind: z.literal('fatal'), reason: z.string().max(4096) }),
]);
export type WorkerToPage = z.infer<typeof WorkerToPageSchema>;
/** Where the Worker keeps batch folders (the `storage` envelope without its kind). */
export type BatchStorage = Omit<Extract<WorkerToPage, { kind: 'storage' }>, 'kind'>;
