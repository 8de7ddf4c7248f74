/**
 * The parent side of the harness process: starts harness-worker.ts, hands it one case at a time,
 * and watches it from outside — a timer for hangs, /proc for memory (killed at twice the case's
 * ceiling, so a decompression bomb cannot take the machine down), its exit for crashes. A worker
 * that died or was killed is started again for the next case.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerReply, WorkerRequest } from './harness-worker.ts';
import { REPO } from './fixture.ts';
import { rssMb } from './proc.ts';
import type { Limits } from './types.ts';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'harness-worker.ts');

/** The environment of every process the runner starts: a private cache, one thread, no user models. */
export function fuzzEnv(cacheDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TESSERA_CACHE_DIR: cacheDir, TESSERA_THREADS: '1', TESSERA_MODELS_DIR: '', TESSERA_LOG: 'warn', FORCE_COLOR: '0' };
  // A test runner's loader flags must not leak into the processes under test.
  delete env.NODE_OPTIONS;
  delete env.VITEST;
  return env;
}

/**
 * Where the memory watchdog kills: 384 MB over the ceiling. Far enough above it that the peak is
 * clearly a finding, close enough that a decompression bomb is stopped in a second or two.
 */
export function killLimitMb(maxRssMb: number): number {
  return maxRssMb + 384;
}

export type HarnessOutcome<R> = { reply: R; nativeStderr: string } | { timedOut: true; nativeStderr: string } | { killedAtMb: number; nativeStderr: string } | { crash: string; nativeStderr: string };

export class Harness {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private onReply: ((reply: WorkerReply) => void) | null = null;
  /** The case in progress and the worker it was sent to: an exit only concerns that case. */
  private onExit: { child: ChildProcess; notify: (why: string) => void } | null = null;
  private stderr = '';
  restarts = 0;

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const child = fork(WORKER, [], {
      cwd: REPO,
      env: this.env,
      execArgv: ['--import', 'tsx', '--expose-gc'],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    this.stderr = '';
    child.stdout?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.ready = new Promise<void>((resolve, reject) => {
      child.on('message', (m: WorkerReply) => {
        if (m.type === 'ready') resolve();
        else this.onReply?.(m);
      });
      child.on('exit', (code, signal) => {
        if (this.child === child) {
          this.child = null;
          this.ready = null;
        }
        const why = `the harness process exited (${signal ?? `code ${code}`})${this.stderr ? `: ${this.stderr.trim().split('\n').slice(-6).join(' | ')}` : ''}`;
        reject(new Error(why));
        if (this.onExit?.child === child) this.onExit.notify(why);
      });
    });
    return this.ready;
  }

  /** Runs one request in the worker under `limits`. */
  async run<R extends WorkerReply>(request: WorkerRequest, limits: Limits): Promise<HarnessOutcome<R>> {
    if (!this.child) this.restarts++;
    try {
      await this.start();
    } catch (error) {
      return { crash: `the harness process could not start: ${(error as Error).message}`, nativeStderr: this.stderr };
    }
    const child = this.child as ChildProcess;
    this.stderr = '';
    return new Promise<HarnessOutcome<R>>((resolve) => {
      let settled = false;
      const finish = (outcome: HarnessOutcome<R>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(poll);
        this.onReply = null;
        this.onExit = null;
        resolve(outcome);
      };
      const kill = (): void => {
        // Forget the worker at once: the next case must not be sent to a process that is dying.
        if (this.child === child) {
          this.child = null;
          this.ready = null;
        }
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => {
        kill();
        finish({ timedOut: true, nativeStderr: this.stderr });
      }, limits.timeoutMs);
      const limit = killLimitMb(limits.maxRssMb);
      const poll = setInterval(() => {
        const rss = child.pid === undefined ? null : rssMb(child.pid);
        if (rss !== null && rss > limit) {
          kill();
          finish({ killedAtMb: rss, nativeStderr: this.stderr });
        }
      }, 20);
      this.onReply = (reply) => {
        if (reply.type === 'fatal') finish({ crash: reply.stack, nativeStderr: this.stderr });
        else if ('id' in reply && reply.id === request.id) finish({ reply: reply as R, nativeStderr: this.stderr });
      };
      this.onExit = { child, notify: (why) => finish({ crash: why, nativeStderr: this.stderr }) };
      child.send(request);
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.ready?.catch(() => undefined);
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}
