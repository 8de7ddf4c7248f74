/**
 * Keeps one engine process alive. When it dies unexpectedly the supervisor reports the loss at
 * once (so the clients can fail the running job immediately), then restarts it after a backoff
 * that grows with each crash; more than `maxCrashes` crashes within `windowMs` is a crash loop
 * (a broken model, a bad native addon) and it gives up rather than spin. Process creation and
 * time are injected, so the policy is unit-tested without Electron or child processes.
 *
 * It lives in shared/ because both engine hosts use it and the layering allows neither to import
 * the other: the desktop app (electron/main/engine-process.ts: a utilityProcess) and serve mode
 * (electron/serve/engine-child.ts: a Node child process). It needs nothing but timers.
 */

export interface EngineHandle {
  readonly pid: number | undefined;
  /** Called once when the process is gone, with a human reason. */
  onExit(listener: (reason: string) => void): void;
  kill(): void;
}

export interface SupervisorPolicy {
  /** Delay before restart n (0-based); the last entry repeats. */
  backoffMs: readonly number[];
  maxCrashes: number;
  windowMs: number;
  /** What the user must do once the supervisor has given up (default: restart the app). */
  giveUpAdvice?: string;
}

export const DEFAULT_SUPERVISOR_POLICY: SupervisorPolicy = { backoffMs: [250, 1000, 2000, 4000, 8000], maxCrashes: 5, windowMs: 60_000 };

export type CrashDecision = { action: 'restart'; delayMs: number } | { action: 'give-up'; crashesInWindow: number };

/** Pure: given the recent crash times (including this one) decide what to do. */
export function decideAfterCrash(crashTimes: readonly number[], now: number, policy: SupervisorPolicy): CrashDecision {
  const recent = crashTimes.filter((t) => now - t <= policy.windowMs);
  if (recent.length > policy.maxCrashes) return { action: 'give-up', crashesInWindow: recent.length };
  const index = Math.min(recent.length - 1, policy.backoffMs.length - 1);
  return { action: 'restart', delayMs: policy.backoffMs[Math.max(0, index)] ?? 0 };
}

export interface SupervisorEvents {
  /** A process is running; `restartReason` is set when it replaces a crashed one. */
  started(handle: EngineHandle, generation: number, restartReason: string | undefined): void;
  /** The process died. `willRestart` false = crash loop, the supervisor stopped trying. */
  lost(reason: string, willRestart: boolean): void;
}

export interface SupervisorClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

const realClock: SupervisorClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

export class EngineSupervisor {
  private current: EngineHandle | null = null;
  private generation = -1;
  private crashTimes: number[] = [];
  private restartTimer: unknown = null;
  private stopped = false;
  private gaveUp = false;

  constructor(
    private readonly spawn: () => EngineHandle,
    private readonly events: SupervisorEvents,
    private readonly policy: SupervisorPolicy = DEFAULT_SUPERVISOR_POLICY,
    private readonly clock: SupervisorClock = realClock,
  ) {}

  get pid(): number | undefined {
    return this.current?.pid;
  }

  get state(): 'running' | 'restarting' | 'gave-up' | 'stopped' | 'idle' {
    if (this.stopped) return 'stopped';
    if (this.gaveUp) return 'gave-up';
    if (this.current !== null) return 'running';
    return this.restartTimer !== null ? 'restarting' : 'idle';
  }

  start(restartReason?: string): void {
    if (this.stopped || this.current !== null) return;
    this.restartTimer = null;
    let handle: EngineHandle;
    try {
      handle = this.spawn();
    } catch (error) {
      this.handleExit(null, `The engine could not start: ${(error as Error).message}`);
      return;
    }
    this.current = handle;
    this.generation += 1;
    handle.onExit((reason) => this.handleExit(handle, reason));
    this.events.started(handle, this.generation, restartReason);
  }

  /** Intentional shutdown (app quit): kill without restarting. */
  stop(): void {
    this.stopped = true;
    if (this.restartTimer !== null) this.clock.clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const handle = this.current;
    this.current = null;
    handle?.kill();
  }

  private handleExit(handle: EngineHandle | null, reason: string): void {
    if (handle !== null && handle !== this.current) return; // a stale process
    this.current = null;
    if (this.stopped) return;
    const now = this.clock.now();
    this.crashTimes = [...this.crashTimes.filter((t) => now - t <= this.policy.windowMs), now];
    const decision = decideAfterCrash(this.crashTimes, now, this.policy);
    if (decision.action === 'give-up') {
      this.gaveUp = true;
      const advice = this.policy.giveUpAdvice ?? 'restart the app';
      this.events.lost(`${reason} It crashed ${decision.crashesInWindow} times in a row, so Tessera stopped restarting it; ${advice}.`, false);
      return;
    }
    this.events.lost(reason, true);
    this.restartTimer = this.clock.setTimeout(() => this.start(reason), decision.delayMs);
  }
}
