/**
 * Serve mode's engine process: electron/host/child-entry.ts started with child_process.fork, as
 * TypeScript through tsx (serve mode always runs from source). Structured clone
 * (`serialization: 'advanced'`) carries typed arrays as they are, so a layout or an image crosses
 * the IPC channel without base64. Every message from the child is parsed here, at the boundary.
 * shared/engine-supervisor.ts decides when to start another; describeChildExit says why one died.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeIssues } from '../../shared/manifest.ts';
import type { EngineHandle } from '../../shared/engine-supervisor.ts';
import { ChildToParentSchema, type ChildToParent, type ParentToChild } from '../host/child-protocol.ts';
import { formatEngineProcessArgs, type EngineProcessArgs } from '../host/engine-clients.ts';

export const CHILD_ENTRY = fileURLToPath(new URL('../host/child-entry.ts', import.meta.url));

/** A running engine child as the supervised engine sees it (tests substitute a fake). */
export interface EngineChild extends EngineHandle {
  send(message: ParentToChild): void;
  onMessage(listener: (message: ChildToParent) => void): void;
  /** Settles once the process is gone (kill() only asks it to go). */
  readonly exited: Promise<void>;
  /** SIGKILL, for a child that does not leave after kill(). */
  forceKill(): void;
}

export interface EngineChildOptions extends EngineProcessArgs {
  /** The child's environment (TESSERA_MODELS_DIR, TESSERA_CACHE_DIR and TESSERA_LOG are read there). */
  env: NodeJS.ProcessEnv;
  log(line: string): void;
  /** Default: electron/host/child-entry.ts. */
  entry?: string;
}

/** How much of the child's stderr is kept to explain its death (an out-of-memory leaves a note there). */
const STDERR_TAIL_CHARS = 4096;
/** After 'exit', how long to wait for the last stderr bytes before reporting the death anyway. */
const STDERR_DRAIN_MS = 200;

/**
 * Why the engine child died, in words a user can act on. An out-of-memory shows up three ways:
 * V8's "heap out of memory" note then SIGABRT, onnxruntime's failed allocation (SIGABRT), or the
 * kernel's OOM killer (SIGKILL, no note).
 */
export function describeChildExit(code: number | null, signal: NodeJS.Signals | null, stderrTail = ''): string {
  if (/heap out of memory|Allocation failed|std::bad_alloc/i.test(stderrTail)) {
    return 'The engine ran out of memory and stopped; try a smaller canvas, or fewer jobs at once.';
  }
  switch (signal) {
    case null:
      break;
    case 'SIGKILL':
      return 'The engine process was killed (SIGKILL); when nobody killed it on purpose, the system ran out of memory: try a smaller canvas, or fewer jobs at once.';
    case 'SIGABRT':
      return 'The engine process aborted (SIGABRT): a native error in onnxruntime, or memory ran out.';
    case 'SIGSEGV':
    case 'SIGBUS':
    case 'SIGILL':
      return `The engine process crashed in native code (${signal}).`;
    default:
      return `The engine process was stopped by ${signal}.`;
  }
  if (code === 0) return 'The engine process exited.';
  const lastLine = stderrTail.trim().split('\n').at(-1)?.trim().slice(0, 300);
  return `The engine process stopped unexpectedly (exit code ${code ?? '?'})${lastLine ? `; its last words: ${lastLine}` : '.'}`;
}

/** `--import tsx` by absolute URL: the child must find tsx whatever the server's working directory. */
function tsxImport(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

export function spawnEngineChild(options: EngineChildOptions): EngineChild {
  const entry = options.entry ?? CHILD_ENTRY;
  const child = fork(entry, formatEngineProcessArgs(options), {
    serialization: 'advanced',
    execArgv: entry.endsWith('.ts') ? ['--import', tsxImport()] : [],
    env: options.env,
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });

  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    // The engine's own log lines still reach the terminal; the tail only explains a death.
    process.stderr.write(chunk);
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
  });

  const messageListeners: Array<(message: ChildToParent) => void> = [];
  child.on('message', (raw: unknown) => {
    const parsed = ChildToParentSchema.safeParse(raw);
    if (!parsed.success) {
      options.log(`serve: dropped a message from the engine process that does not match the protocol: ${describeIssues(parsed.error)}`);
      return;
    }
    for (const listener of messageListeners) listener(parsed.data);
  });

  let reason: string | null = null;
  const exitListeners: Array<(reason: string) => void> = [];
  let markExited: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => (markExited = resolve));
  const report = (why: string): void => {
    if (reason !== null) return;
    reason = why;
    markExited();
    for (const listener of exitListeners) listener(why);
  };
  child.once('exit', (code, signal) => {
    const settle = (): void => report(describeChildExit(code, signal, stderrTail));
    if (child.stderr === null || child.stderr.readableEnded) settle();
    else {
      const timer = setTimeout(settle, STDERR_DRAIN_MS);
      child.stderr.once('end', () => {
        clearTimeout(timer);
        settle();
      });
    }
  });
  // A process that could not be started emits 'error' and never 'exit'.
  child.on('error', (error) => {
    if (child.pid === undefined) report(`The engine process could not start: ${error.message}`);
  });

  return {
    get pid() {
      return child.pid;
    },
    onExit(listener) {
      if (reason !== null) listener(reason);
      else exitListeners.push(listener);
    },
    onMessage(listener) {
      messageListeners.push(listener);
    },
    send(message) {
      // A dead channel is not an error here: the exit is reported, and the supervisor acts on it.
      if (child.connected) child.send(message, () => undefined);
    },
    exited,
    kill() {
      child.kill('SIGTERM');
    },
    forceKill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
