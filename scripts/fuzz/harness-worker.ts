/**
 * The long-lived harness process (forked by harness.ts). It runs CLI cases through the CLI's own
 * code — the same commander program electron/cli/main.ts builds, the same command actions, the same
 * runCommand exit-code contract — minus only the process start, with stdout and stderr captured per
 * case; and IPC cases through the real handler table behind the IPC guard, with the payload having
 * crossed a structured clone (this process's IPC channel) exactly as Electron's invoke does.
 *
 * An exception that escapes a command, or any uncaught exception or unhandled rejection, is what
 * would have killed a real `tessera` process: it is reported as the current case's crash and this
 * process exits, so the next case starts in a clean one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { Command, CommanderError } from 'commander';
import { COMMANDS } from '../../electron/cli/commands/index.ts';
import { createFileService, type FileService } from '../../electron/main/file-service.ts';
import { buildIpcHandlers } from '../../electron/main/ipc-handlers.ts';
import { createRecoveryStore } from '../../electron/main/recovery-store.ts';
import type { SenderInfo } from '../../electron/main/ipc-guard.ts';
import { IpcResultSchema } from '../../shared/desktop-ipc.ts';
import { peakMb, resetPeak } from './proc.ts';

export type WorkerRequest = { type: 'cli'; id: string; argv: string[] } | { type: 'ipc'; id: string; channel: string; sender: SenderInfo; payload: unknown };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'cli-done'; id: string; exitCode: number; stdout: string; stderr: string; crash: string | null; peakRssMb: number | null; ms: number }
  | { type: 'ipc-done'; id: string; result: unknown; threw: string | null; logs: string[]; calls: number; problems: string[]; peakRssMb: number | null; ms: number }
  | { type: 'fatal'; id: string | null; stack: string };

const send = (reply: WorkerReply): void => {
  process.send?.(reply);
};

let current: string | null = null;
const fatal = (error: unknown): void => {
  send({ type: 'fatal', id: current, stack: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  // Let the message leave before the process does.
  setTimeout(() => process.exit(70), 50);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

/** Output of the case in progress; the real stdout/stderr are the parent's pipes and stay quiet. */
let captured = { stdout: '', stderr: '' };
const capture =
  (key: 'stdout' | 'stderr') =>
  (chunk: string | Uint8Array, encodingOrCallback?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void): boolean => {
    captured[key] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    done?.();
    return true;
  };
process.stdout.write = capture('stdout') as typeof process.stdout.write;
process.stderr.write = capture('stderr') as typeof process.stderr.write;

const gc = (globalThis as { gc?: () => void }).gc;

function beforeCase(): number {
  gc?.();
  resetPeak(process.pid);
  return performance.now();
}

/** electron/cli/main.ts, as a function: the same program, the same exit-code mapping. */
async function runCli(argv: string[]): Promise<{ exitCode: number; crash: string | null }> {
  const program = new Command('tessera')
    .description('Tessera: semantic image synthesis (VQGAN + transformer) from label maps.')
    .showHelpAfterError('(add --help for usage)').exitOverride();
  for (const register of COMMANDS) register(program);
  program.commands.forEach(function override(c: Command): void {
    c.exitOverride();
    c.commands.forEach(override);
  });
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'tessera', ...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version' ? 0 : 2;
    } else {
      // main.ts rethrows: in a real process this is an uncaught exception.
      return { exitCode: 1, crash: `uncaught ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` };
    }
  }
  // Late rejections of this case surface here rather than in the next one.
  await new Promise((r) => setTimeout(r, 5));
  const code = process.exitCode;
  process.exitCode = undefined;
  return { exitCode: typeof code === 'number' ? code : Number(code ?? 0), crash: null };
}

/** Wraps every method of `target` so calls are counted: a refused message must not reach a handler. */
function counted<T extends object>(target: T, counter: { calls: number }): T {
  return new Proxy(target, {
    get(obj, key, receiver): unknown {
      const value: unknown = Reflect.get(obj, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        counter.calls++;
        return (value as (...a: unknown[]) => unknown).apply(obj, args);
      };
    },
  });
}

async function runIpc(channel: string, sender: SenderInfo, payload: unknown): Promise<Omit<Extract<WorkerReply, { type: 'ipc-done' }>, 'type' | 'id' | 'peakRssMb' | 'ms'>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-fuzz-ipc-'));
  const logs: string[] = [];
  const counter = { calls: 0 };
  try {
    const recent: string[] = [];
    const files: FileService = createFileService({
      dialogs: { open: async () => null, save: async () => null },
      recent: { load: async () => [...recent], save: async (p) => void recent.splice(0, recent.length, ...p) },
      policy: { forbiddenRoots: [] },
    });
    const handlers = buildIpcHandlers({
      files: counted(files, counter),
      recovery: counted(createRecoveryStore(path.join(dir, 'slot.bin')), counter),
      policy: { trustedOrigins: ['app://tessera'], isKnownWebContents: (id) => id === 1 },
      log: (line) => logs.push(line),
    });
    const handler = (handlers as unknown as Record<string, ((s: SenderInfo, p: unknown) => Promise<unknown>) | undefined>)[channel];
    if (!handler) return { result: null, threw: `no handler for ${channel}`, logs, calls: 0, problems: [] };
    let result: unknown;
    try {
      result = await handler(sender, payload);
    } catch (error) {
      return { result: null, threw: error instanceof Error ? (error.stack ?? error.message) : String(error), logs, calls: counter.calls, problems: [] };
    }
    const problems: string[] = [];
    if (!IpcResultSchema.safeParse(result).success) problems.push(`the result is not an IpcResult: ${String(JSON.stringify(result)).slice(0, 120)}`);
    try {
      // Electron sends the result back by structured clone: it must survive one.
      v8.serialize(result);
    } catch (error) {
      problems.push(`the result cannot be structured-cloned: ${(error as Error).message}`);
    }
    if ('polluted' in Object.prototype) problems.push('Object.prototype was polluted');
    return { result, threw: null, logs, calls: counter.calls, problems };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.on('message', (message: WorkerRequest) => {
  void (async () => {
    current = message.id;
    captured = { stdout: '', stderr: '' };
    const t0 = beforeCase();
    if (message.type === 'cli') {
      const { exitCode, crash } = await runCli(message.argv);
      send({ type: 'cli-done', id: message.id, exitCode, stdout: captured.stdout, stderr: captured.stderr, crash, peakRssMb: peakMb(process.pid), ms: performance.now() - t0 });
    } else {
      const r = await runIpc(message.channel, message.sender, message.payload);
      send({ type: 'ipc-done', id: message.id, ...r, peakRssMb: peakMb(process.pid), ms: performance.now() - t0 });
    }
    current = null;
  })().catch(fatal);
});

send({ type: 'ready' });
