/**
 * The routing and crash handling of serve mode's engine, with fake children and a fake clock:
 * which connection gets which message, what each is owed when the child dies, the restart notice,
 * the crash-loop answer, and shutdown. engine-crash.test.ts (tests/serve/) does it with a real child.
 */
import { describe, expect, it } from 'vitest';
import type { SupervisorClock } from '../../shared/engine-supervisor.ts';
import type { EngineMessage } from '../../shared/protocol.ts';
import type { ChildToParent, ParentToChild } from '../host/child-protocol.ts';
import type { EngineChild } from './engine-child.ts';
import { createSupervisedEngine, type SupervisedEngineOptions } from './supervised-engine.ts';

class FakeChild implements EngineChild {
  readonly sent: ParentToChild[] = [];
  killedWith: 'SIGTERM' | 'SIGKILL' | null = null;
  private exitListener: ((reason: string) => void) | null = null;
  private messageListener: ((message: ChildToParent) => void) | null = null;
  private markExited: () => void = () => undefined;
  readonly exited = new Promise<void>((resolve) => (this.markExited = resolve));
  constructor(
    readonly pid: number,
    private readonly obeysSigterm = true,
  ) {}
  onExit(listener: (reason: string) => void): void {
    this.exitListener = listener;
  }
  onMessage(listener: (message: ChildToParent) => void): void {
    this.messageListener = listener;
  }
  send(message: ParentToChild): void {
    this.sent.push(message);
  }
  kill(): void {
    this.killedWith = 'SIGTERM';
    if (this.obeysSigterm) this.die('The engine process was stopped by SIGTERM.');
  }
  forceKill(): void {
    this.killedWith = 'SIGKILL';
    this.die('The engine process was killed (SIGKILL).');
  }
  // --- what the test makes the child do ---
  ready(): void {
    this.messageListener?.({ type: 'ready' });
  }
  say(client: number, message: EngineMessage): void {
    this.messageListener?.({ type: 'client.message', client, message });
  }
  die(reason = 'The engine process was killed (SIGKILL).'): void {
    this.markExited();
    this.exitListener?.(reason);
  }
  requests(): Array<{ client: number; id: string }> {
    return this.sent.flatMap((m) => (m.type === 'client.message' ? [{ client: m.client, id: (m.message as { id: string }).id }] : []));
  }
}

function fakeClock(): { clock: SupervisorClock; advance(ms: number): void } {
  let now = 0;
  let timers: { at: number; run: () => void; id: number }[] = [];
  let nextId = 0;
  return {
    clock: {
      now: () => now,
      setTimeout: (run, ms) => {
        timers.push({ at: now + ms, run, id: ++nextId });
        return nextId;
      },
      clearTimeout: (id) => (timers = timers.filter((t) => t.id !== id)),
    },
    advance(ms) {
      now += ms;
      for (let due = timers.find((t) => t.at <= now); due; due = timers.find((t) => t.at <= now)) {
        timers = timers.filter((t) => t !== due);
        due.run();
      }
    },
  };
}

function setup(overrides: Partial<SupervisedEngineOptions> = {}, obeysSigterm = true) {
  const children: FakeChild[] = [];
  const log: string[] = [];
  const time = fakeClock();
  const engine = createSupervisedEngine({
    spawn: () => {
      const child = new FakeChild(1000 + children.length, obeysSigterm);
      children.push(child);
      return child;
    },
    log: (line) => log.push(line),
    clock: time.clock,
    policy: { backoffMs: [250, 1000], maxCrashes: 2, windowMs: 60_000 },
    stopGraceMs: 10,
    ...overrides,
  });
  const connect = () => {
    const received: EngineMessage[] = [];
    return { host: engine.connect((m) => received.push(m)), received };
  };
  const child = (): FakeChild => {
    const last = children.at(-1);
    if (!last) throw new Error('no child');
    return last;
  };
  return { engine, children, child, log, time, connect };
}

const layout = { width: 8, height: 8, data: new Uint8Array(64) };
const settings = { seed: 1, temperature: 1, topK: 0, topP: 1, sampler: 'exact', stride: 1 } as const;
const generate = (id: string, jobId: string) => ({ type: 'job.generate', id, jobId, model: 'm', layout, settings });

describe('supervised engine: routing', () => {
  it('queues requests until the child is ready, then opens every connection and delivers them in order', () => {
    const { child, connect } = setup();
    const a = connect();
    const b = connect();
    a.host.handle({ type: 'models.list', id: 'a1' });
    b.host.handle({ type: 'models.list', id: 'b1' });
    expect(child().sent).toEqual([]);
    child().ready();
    expect(child().sent.map((m) => m.type)).toEqual(['client.opened', 'client.opened', 'client.message', 'client.message']);
    expect(child().requests()).toEqual([
      { client: 1, id: 'a1' },
      { client: 2, id: 'b1' },
    ]);
    // No restart happened: no notice.
    expect(a.received).toEqual([]);
  });

  it('routes each reply and event to the connection it belongs to, and drops those of closed connections', async () => {
    const { child, connect } = setup();
    child().ready();
    const a = connect();
    const b = connect();
    expect(child().sent).toEqual([
      { type: 'client.opened', client: 1 },
      { type: 'client.opened', client: 2 },
    ]);
    child().say(1, { type: 'reply', id: 'x', ok: true, value: [] });
    child().say(2, { type: 'job.finished', jobId: 'j' });
    expect(a.received).toEqual([{ type: 'reply', id: 'x', ok: true, value: [] }]);
    expect(b.received).toEqual([{ type: 'job.finished', jobId: 'j' }]);
    await b.host.dispose();
    expect(child().sent.at(-1)).toEqual({ type: 'client.closed', client: 2 });
    child().say(2, { type: 'job.finished', jobId: 'late' });
    expect(b.received).toHaveLength(1);
  });

  it('answers an invalid request itself, and forwards cancels of a closed page\'s jobs to the child', () => {
    const { engine, child, connect } = setup();
    const a = connect();
    a.host.handle({ type: 'models.list', id: 'bad', extra: true });
    expect(a.received).toEqual([expect.objectContaining({ type: 'reply', id: 'bad', ok: false, error: expect.objectContaining({ code: 'BAD_REQUEST' }) })]);
    expect(engine.cancel('job-1')).toBe(false); // no child ready: nothing to cancel there
    child().ready();
    expect(engine.cancel('job-1')).toBe(true);
    expect(child().sent.at(-1)).toEqual({ type: 'engine.cancelJob', jobId: 'job-1' });
  });

  it('drops the queued requests of a connection that closes before the child is ready', async () => {
    const { child, connect } = setup();
    const a = connect();
    const b = connect();
    a.host.handle({ type: 'models.list', id: 'a1' });
    b.host.handle({ type: 'models.list', id: 'b1' });
    await a.host.dispose();
    child().ready();
    expect(child().sent).toEqual([{ type: 'client.opened', client: 2 }, expect.objectContaining({ type: 'client.message', client: 2 })]);
  });

  it('refuses requests beyond the queue while the child starts, saying to try again', () => {
    const { connect } = setup({ maxQueued: 1 });
    const a = connect();
    a.host.handle({ type: 'models.list', id: 'q1' });
    a.host.handle({ type: 'models.list', id: 'q2' });
    expect(a.received).toEqual([{ type: 'reply', id: 'q2', ok: false, error: { code: 'ENGINE_CRASHED', message: expect.stringMatching(/try again in a moment/) } }]);
  });
});

describe('supervised engine: a crash', () => {
  it('fails every pending request and running job on every connection, restarts, and tells each connection', () => {
    const { engine, children, child, connect, time, log } = setup();
    child().ready();
    const a = connect();
    const b = connect();
    a.host.handle(generate('g1', 'job-1'));
    b.host.handle({ type: 'models.list', id: 'l1' });
    child().say(1, { type: 'job.progressed', jobId: 'job-1', tokensDone: 1, tokensTotal: 32, tokensPerSecond: 1, etaSeconds: 31 });
    const first = child();
    first.die('The engine process was killed (SIGKILL).');

    const crashed = { code: 'ENGINE_CRASHED', message: 'The engine process was killed (SIGKILL). Serve mode is restarting the engine; run it again in a moment.' };
    expect(a.received.slice(1)).toEqual([
      { type: 'job.failed', jobId: 'job-1', error: crashed },
      { type: 'reply', id: 'g1', ok: false, error: crashed },
    ]);
    expect(b.received).toEqual([{ type: 'reply', id: 'l1', ok: false, error: crashed }]);
    expect(log.at(-1)).toBe(`serve: ${crashed.message}`);
    expect(engine.pid()).toBeUndefined();

    // While it restarts, requests wait; a late message of the dead child reaches nobody.
    a.host.handle({ type: 'models.list', id: 'a2' });
    first.say(1, { type: 'reply', id: 'g1', ok: true, value: {} });
    expect(a.received).toHaveLength(3);
    time.advance(250);
    expect(children).toHaveLength(2);
    expect(engine.pid()).toBe(1001);
    child().ready();
    expect(child().sent.slice(0, 2)).toEqual([
      { type: 'client.opened', client: 1 },
      { type: 'client.opened', client: 2 },
    ]);
    expect(child().requests()).toEqual([{ client: 1, id: 'a2' }]);
    expect(a.received.at(-1)).toEqual({ type: 'engine.restarted', reason: 'The engine process was killed (SIGKILL).' });
    expect(b.received.at(-1)).toEqual({ type: 'engine.restarted', reason: 'The engine process was killed (SIGKILL).' });
    // Nothing is owed twice: the next crash fails only a2.
    child().die();
    expect(a.received.at(-1)).toMatchObject({ type: 'reply', id: 'a2', ok: false });
    expect(a.received.filter((m) => m.type === 'reply' && m.id === 'g1')).toHaveLength(1);
  });

  it('sends the restart notice only to the pages that were open when the engine died', () => {
    const { child, connect, time } = setup();
    child().ready();
    const before = connect();
    child().die();
    const during = connect();
    time.advance(250);
    child().ready();
    expect(before.received).toEqual([{ type: 'engine.restarted', reason: 'The engine process was killed (SIGKILL).' }]);
    expect(during.received).toEqual([]);
    expect(child().sent).toEqual([
      { type: 'client.opened', client: 1 },
      { type: 'client.opened', client: 2 },
    ]);
  });

  it('fails the requests that waited for a child that died before it was ready', () => {
    const { child, connect, time, children } = setup();
    const a = connect();
    a.host.handle({ type: 'models.list', id: 'w1' });
    child().die('The engine process stopped unexpectedly (exit code 1).');
    expect(a.received).toEqual([{ type: 'reply', id: 'w1', ok: false, error: { code: 'ENGINE_CRASHED', message: expect.stringMatching(/^The engine process stopped unexpectedly \(exit code 1\)\. Serve mode is restarting/) } }]);
    time.advance(250);
    child().ready();
    // w1 was answered, so it is not sent to the new child.
    expect(children[1]?.requests()).toEqual([]);
  });

  it('gives up after a crash loop: every connection is told to restart serve mode, and so is every later request', () => {
    const { engine, children, child, connect, time, log } = setup();
    const a = connect();
    const b = connect();
    child().ready();
    child().die();
    time.advance(250);
    child().ready();
    child().die();
    time.advance(1000);
    child().ready();
    a.host.handle(generate('g1', 'job-1'));
    b.host.handle({ type: 'models.list', id: 'l1' });
    child().die();
    expect(engine.state()).toBe('gave-up');
    const advice = /It crashed 3 times in a row, so Tessera stopped restarting it; restart serve mode \(npm run serve\)\.$/;
    expect(a.received.slice(-3)).toEqual([
      { type: 'job.failed', jobId: 'job-1', error: { code: 'ENGINE_CRASHED', message: expect.stringMatching(advice) } },
      { type: 'reply', id: 'g1', ok: false, error: { code: 'ENGINE_CRASHED', message: expect.stringMatching(advice) } },
      // Told at once, not at the page's next request.
      { type: 'engine.stopped', reason: expect.stringMatching(advice) },
    ]);
    expect(b.received.slice(-2)).toMatchObject([
      { type: 'reply', id: 'l1', error: { message: expect.stringMatching(advice) } },
      { type: 'engine.stopped', reason: expect.stringMatching(advice) },
    ]);
    expect(log.at(-1)).toMatch(advice);
    time.advance(600_000);
    expect(children).toHaveLength(3);
    const c = connect();
    c.host.handle({ type: 'models.list', id: 'later' });
    expect(c.received).toEqual([
      { type: 'engine.stopped', reason: expect.stringMatching(advice) },
      { type: 'reply', id: 'later', ok: false, error: { code: 'ENGINE_CRASHED', message: expect.stringMatching(advice) } },
    ]);
  });
});

describe('supervised engine: close', () => {
  it('stops the child without restarting it', async () => {
    const { engine, children, child, time } = setup();
    child().ready();
    await engine.dispose();
    expect(child().killedWith).toBe('SIGTERM');
    time.advance(60_000);
    expect(children).toHaveLength(1);
    expect(engine.state()).toBe('stopped');
  });

  it('kills a child that does not leave in time', async () => {
    const { engine, child, connect } = setup({}, false);
    child().ready();
    await engine.dispose();
    expect(child().killedWith).toBe('SIGKILL');
    const a = connect();
    a.host.handle({ type: 'models.list', id: 'after' });
    expect(a.received).toEqual([{ type: 'reply', id: 'after', ok: false, error: { code: 'ENGINE_CRASHED', message: 'Serve mode is shutting down.' } }]);
  });
});
