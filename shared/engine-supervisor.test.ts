import { describe, expect, it } from 'vitest';
import { decideAfterCrash, DEFAULT_SUPERVISOR_POLICY, EngineSupervisor, type EngineHandle, type SupervisorClock } from './engine-supervisor.ts';

class FakeEngine implements EngineHandle {
  private listener: ((reason: string) => void) | null = null;
  killed = false;
  constructor(readonly pid: number) {}
  onExit(listener: (reason: string) => void): void {
    this.listener = listener;
  }
  kill(): void {
    this.killed = true;
    this.crash('killed');
  }
  crash(reason = 'exit code 9'): void {
    this.listener?.(reason);
  }
}

function fakeClock() {
  let now = 0;
  const timers: { at: number; run: () => void; id: number }[] = [];
  let nextId = 0;
  const clock: SupervisorClock = {
    now: () => now,
    setTimeout: (run, ms) => {
      const id = ++nextId;
      timers.push({ at: now + ms, run, id });
      return id;
    },
    clearTimeout: (id) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
  };
  const advance = (ms: number): void => {
    now += ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const due = timers[0];
      if (!due || due.at > now) break;
      timers.shift();
      due.run();
    }
  };
  return { clock, advance, pending: () => timers.map((t) => t.at - now) };
}

function setup() {
  const engines: FakeEngine[] = [];
  const log: string[] = [];
  const time = fakeClock();
  const supervisor = new EngineSupervisor(
    () => {
      const e = new FakeEngine(100 + engines.length);
      engines.push(e);
      return e;
    },
    {
      started: (h, generation, reason) => log.push(`started pid=${h.pid} gen=${generation}${reason ? ` after=${reason}` : ''}`),
      lost: (reason, willRestart) => log.push(`lost ${reason} restart=${willRestart}`),
    },
    DEFAULT_SUPERVISOR_POLICY,
    time.clock,
  );
  return { supervisor, engines, log, time };
}

describe('decideAfterCrash', () => {
  const policy = { backoffMs: [100, 1000, 5000], maxCrashes: 3, windowMs: 60_000 };
  it('backs off more with each recent crash, repeating the last delay', () => {
    expect(decideAfterCrash([0], 0, policy)).toEqual({ action: 'restart', delayMs: 100 });
    expect(decideAfterCrash([0, 10], 10, policy)).toEqual({ action: 'restart', delayMs: 1000 });
    expect(decideAfterCrash([0, 10, 20], 20, policy)).toEqual({ action: 'restart', delayMs: 5000 });
  });
  it('gives up when crashes exceed the limit inside the window', () => {
    expect(decideAfterCrash([0, 10, 20, 30], 30, policy)).toEqual({ action: 'give-up', crashesInWindow: 4 });
  });
  it('forgets crashes older than the window', () => {
    expect(decideAfterCrash([0, 10, 20, 70_000], 70_000, policy)).toEqual({ action: 'restart', delayMs: 100 });
  });
});

describe('EngineSupervisor', () => {
  it('starts, reports a crash at once, and restarts after the backoff', () => {
    const { supervisor, engines, log, time } = setup();
    supervisor.start();
    expect(supervisor.pid).toBe(100);
    engines[0]?.crash('The engine stopped unexpectedly (exit code 9).');
    expect(log).toEqual(['started pid=100 gen=0', 'lost The engine stopped unexpectedly (exit code 9). restart=true']);
    expect(supervisor.state).toBe('restarting');
    expect(supervisor.pid).toBeUndefined();
    time.advance(249);
    expect(engines).toHaveLength(1);
    time.advance(1);
    expect(engines).toHaveLength(2);
    expect(log.at(-1)).toBe('started pid=101 gen=1 after=The engine stopped unexpectedly (exit code 9).');
    expect(supervisor.state).toBe('running');
  });

  it('stops restarting after a crash loop and says so', () => {
    const { supervisor, engines, log, time } = setup();
    supervisor.start();
    for (let i = 0; i < 6; i++) {
      engines.at(-1)?.crash();
      time.advance(10_000);
    }
    expect(engines).toHaveLength(6);
    expect(supervisor.state).toBe('gave-up');
    expect(log.at(-1)).toMatch(/crashed 6 times in a row.*restart=false$/);
    time.advance(600_000);
    expect(engines).toHaveLength(6);
  });

  it('gives the advice its host chose when it gives up', () => {
    const time = fakeClock();
    const log: string[] = [];
    const engines: FakeEngine[] = [];
    const supervisor = new EngineSupervisor(
      () => {
        const e = new FakeEngine(engines.length);
        engines.push(e);
        return e;
      },
      { started: () => undefined, lost: (reason, willRestart) => log.push(`${reason} ${willRestart}`) },
      { backoffMs: [10], maxCrashes: 1, windowMs: 1000, giveUpAdvice: 'restart serve mode (npm run serve)' },
      time.clock,
    );
    supervisor.start();
    engines.at(-1)?.crash('Killed.');
    time.advance(10);
    engines.at(-1)?.crash('Killed.');
    expect(log.at(-1)).toBe('Killed. It crashed 2 times in a row, so Tessera stopped restarting it; restart serve mode (npm run serve). false');
  });

  it('recovers fully when crashes are spread out', () => {
    const { supervisor, engines, time } = setup();
    supervisor.start();
    for (let i = 0; i < 20; i++) {
      engines.at(-1)?.crash();
      time.advance(61_000);
    }
    expect(supervisor.state).toBe('running');
    expect(engines).toHaveLength(21);
  });

  it('does not restart after an intentional stop, and cancels a pending restart', () => {
    const { supervisor, engines, log, time } = setup();
    supervisor.start();
    engines[0]?.crash();
    supervisor.stop();
    time.advance(60_000);
    expect(engines).toHaveLength(1);
    expect(supervisor.state).toBe('stopped');

    const second = setup();
    second.supervisor.start();
    second.supervisor.stop();
    expect(second.engines[0]?.killed).toBe(true);
    expect(second.log).toEqual(['started pid=100 gen=0']);
    expect(log).toHaveLength(2);
  });

  it('treats a failing spawn as a crash', () => {
    const time = fakeClock();
    const log: string[] = [];
    let attempts = 0;
    const supervisor = new EngineSupervisor(
      () => {
        attempts++;
        throw new Error('entry missing');
      },
      { started: () => log.push('started'), lost: (r, w) => log.push(`${r} ${w}`) },
      { backoffMs: [10], maxCrashes: 2, windowMs: 1000 },
      time.clock,
    );
    supervisor.start();
    time.advance(10);
    time.advance(10);
    expect(attempts).toBe(3);
    expect(log).toEqual(['The engine could not start: entry missing true', 'The engine could not start: entry missing true', expect.stringMatching(/could not start.*crashed 3 times.* false$/)]);
  });

  it('ignores exits of a process it already replaced', () => {
    const { supervisor, engines, log, time } = setup();
    supervisor.start();
    const first = engines[0];
    first?.crash();
    time.advance(250);
    first?.crash('late duplicate exit');
    expect(log.filter((l) => l.startsWith('lost'))).toHaveLength(1);
    expect(supervisor.state).toBe('running');
  });
});
