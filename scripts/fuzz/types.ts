/**
 * The bad-input corpus as data. Every case says which door it goes through, what it sends, and
 * what must happen (`expect`): the runners only execute cases and compare, so a case can be read,
 * dumped, diffed and replayed on its own. Nothing here depends on the machine that runs it except
 * the placeholders (`@name` paths, `{{PORT}}`, `{{TOKEN}}`), which runners fill in.
 */
import type { ErrorCode } from '../../shared/errors.ts';

export type Door = 'png' | 'bundle' | 'serve' | 'ipc';
export const DOORS: readonly Door[] = ['png', 'bundle', 'serve', 'ipc'];

/** Resource limits every case states: peak RSS of the process that handled it, and the hang timeout. */
export interface Limits {
  maxRssMb: number;
  timeoutMs: number;
}

/** A file the command will be given. `asset` is a file of this repository, read at run time. */
export type InputFile =
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'asset'; path: string }
  | { kind: 'missing' }
  | { kind: 'directory' }
  | { kind: 'folder'; entries: Record<string, InputFile> };

/** One change to a copy of the fixture bundle (assets/fixtures/tessera-tiny). */
export type BundleOp =
  | { op: 'write'; path: string; bytes: Uint8Array }
  | { op: 'truncate'; path: string; length: number }
  | { op: 'delete'; path: string }
  | { op: 'mkdir'; path: string }
  /** `target` may start with `@outside/`: a folder next to the bundle, outside it. */
  | { op: 'symlink'; path: string; target: string }
  | { op: 'copy'; from: string; to: string };

export interface BundleSpec {
  /** Applied in order to a fresh copy of the fixture bundle. */
  ops: BundleOp[];
  /** Files to place in the `@outside` folder (beside the bundle), for symlinks that escape it. */
  outside?: Record<string, Uint8Array | { copyOf: string }>;
}

/** What a CLI command must do with a bad input. */
export interface CliExpect extends Limits {
  /** Allowed exit codes (0 only where the input is legal and may be accepted). */
  exitCodes: number[];
  /**
   * Allowed `error [CODE]` codes when the exit code is not 0. `models verify` may instead print its
   * report (FAIL lines on stdout) and exit 3: that is its clear error.
   */
  errorCodes: ErrorCode[];
  /** stdout + stderr together: an error the size of the input is not a clear error. */
  maxOutputBytes: number;
}

/**
 * A CLI case (doors `png` and `bundle`). `args` follow `tessera`; `@name` stands for the absolute
 * path of `files[name]`, `@bundle` for the mutated bundle, `@out` for a file in the case's empty
 * output folder and `@outdir` for that folder.
 */
export interface CliCase {
  door: 'png' | 'bundle';
  id: string;
  category: string;
  what: string;
  args: string[];
  files: Record<string, InputFile>;
  bundle?: BundleSpec;
  expect: CliExpect;
}

/** A piece of a raw request: text (with `{{PORT}}`/`{{TOKEN}}` filled in) or bytes as they are. */
export type RawPart = string | Uint8Array;

export interface HttpExpect extends Limits {
  /** Allowed statuses; `0` means the server may close the connection without a response. */
  statuses: number[];
  /** The response body must not contain these (e.g. `root:` for traversal attempts). */
  bodyMustNotContain: string[];
}

export interface FramesExpect extends Limits {
  /** Close codes the server may answer with; `0` = the TCP connection closed without a close frame. */
  closeCodes: number[];
  /** The connection may also stay open (the frames are legal but meaningless). */
  mayStayOpen: boolean;
}

export interface MessageExpect extends Limits {
  /** The reply that must come back for `replyId`, with one of these error codes; null = no reply is owed. */
  replyId: string | null;
  errorCodes: ErrorCode[];
  /** A close instead of (or without) the reply is acceptable with these codes. */
  closeCodes: number[];
  /** A successful reply is acceptable too (the message happens to be a valid request). */
  okAllowed: boolean;
}

export type ServeCase =
  | { door: 'serve'; kind: 'http'; id: string; category: string; what: string; request: RawPart[]; expect: HttpExpect }
  /** A raw WebSocket handshake, then `frames` as bytes (client frames, masked or deliberately not). */
  | { door: 'serve'; kind: 'frames'; id: string; category: string; what: string; frames: Uint8Array; expect: FramesExpect }
  /** A well-formed text frame carrying `text` (a protocol message that is wrong in some way). */
  | { door: 'serve'; kind: 'message'; id: string; category: string; what: string; text: string; expect: MessageExpect };

export interface IpcSender {
  frameUrl: string | null;
  isMainFrame: boolean;
  webContentsId: number;
}

export interface IpcExpect extends Limits {
  /** `refused`: BAD_REQUEST result, one log line, handler not run. `result`: any IpcResult, never a throw. */
  outcome: 'refused' | 'result';
}

export interface IpcCase {
  door: 'ipc';
  id: string;
  category: string;
  what: string;
  channel: string;
  sender: IpcSender;
  payload: unknown;
  expect: IpcExpect;
}

export type FuzzCase = CliCase | ServeCase | IpcCase;

/** How a case ended. `handled` is the only pass. */
export type Verdict = 'handled' | 'crash' | 'hang' | 'partial' | 'unclear' | 'memory';

export interface CaseResult {
  id: string;
  door: Door;
  category: string;
  /** The case's own description. */
  what: string;
  /** `harness`: in the long-lived harness process; `cli`: a spawned `tessera` process; `server`: against the serve child. */
  via: 'harness' | 'cli' | 'server';
  verdict: Verdict;
  ms: number;
  /** Peak RSS of the process that handled the case (MB), or null where it could not be read. */
  peakRssMb: number | null;
  detail: string;
}
