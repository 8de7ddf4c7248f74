/**
 * The one object the Electron preload exposes to the renderer as `window.tessera` (types only:
 * the preload implements it, the renderer's bridge consumes it). It is deliberately small: a
 * MessagePort-like channel to the engine host plus a recovery slot for autosave. Everything that
 * travels through `postMessage` is a shared/protocol message; the renderer parses what it
 * receives with zod, so the preload never needs to validate engine replies itself.
 */

/** Undo registration for a listener: call it to stop receiving messages. */
export type Unsubscribe = () => void;

/**
 * Autosave storage outside the renderer (in Electron: a file in the user-data folder). Values are
 * plain structured-cloneable data (objects, arrays, strings, numbers, typed arrays), so the shell
 * can write them with v8.serialize or similar; the renderer validates what `read` returns.
 */
export interface TesseraRecoverySlotApi {
  /** The last value written, or null when the slot is empty. */
  read(): Promise<unknown>;
  write(value: unknown): Promise<void>;
  clear(): Promise<void>;
}

export interface TesseraPreloadApi {
  /** Protocol version of this interface, bumped on incompatible changes. */
  readonly apiVersion: 1;
  /** Sends one shared/protocol request (a plain object; typed arrays travel by structured clone). */
  postMessage(message: unknown): void;
  /** Receives every reply and event from the engine host. */
  onMessage(listener: (message: unknown) => void): Unsubscribe;
  /** Optional file-backed recovery slot; without it the renderer falls back to IndexedDB. */
  readonly recovery?: TesseraRecoverySlotApi;
}
