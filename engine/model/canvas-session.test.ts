import { describe, expect, it } from 'vitest';
import { int64Tensor, type HostTensor, type ModelSession, type SessionHints } from '../runtime.ts';
import { CanvasSession } from './canvas-session.ts';

/** A session that counts its runs and notes its release. */
class FakeSession implements ModelSession {
  readonly label = 'cond encoder';
  readonly inputs = [{ name: 'labels', type: 'int64', shape: ['B', 'H', 'W'] }];
  readonly outputs = [{ name: 'tokens', type: 'int64', shape: ['B', 'h', 'w'] }];
  runs = 0;
  released = false;
  constructor(readonly hints: SessionHints = {}) {}

  async run(): Promise<Record<string, HostTensor>> {
    if (this.released) throw new Error('run on a released session');
    this.runs++;
    return { tokens: int64Tensor(new BigInt64Array(1), [1, 1, 1]) };
  }
  async release(): Promise<void> {
    this.released = true;
  }
}

const feed = (values: number): Record<string, HostTensor> => ({ labels: int64Tensor(new BigInt64Array(values), [1, 1, values]) });
const LIMITS = { keepElements: 100, arenaElements: 400 };

function canvasSession(): { session: CanvasSession; first: FakeSession; opened: FakeSession[] } {
  const first = new FakeSession({ imageSized: true });
  const opened: FakeSession[] = [];
  const session = new CanvasSession(
    first,
    async (hints) => {
      opened.push(new FakeSession(hints));
      return opened.at(-1) as FakeSession;
    },
    LIMITS,
  );
  return { session, first, opened };
}

describe('CanvasSession', () => {
  it('runs canvases up to the limit on the session it keeps', async () => {
    const { session, first, opened } = canvasSession();
    await session.run(feed(100), ['tokens']);
    await session.run(feed(50), ['tokens']);
    expect(first.runs).toBe(2);
    expect(first.released).toBe(false);
    expect(opened).toHaveLength(0);
    expect(session.inputs).toBe(first.inputs);
  });

  it('runs larger canvases on a session of their own, released at once; without the arena beyond its limit', async () => {
    const { session, first, opened } = canvasSession();
    await session.run(feed(400), ['tokens']);
    await session.run(feed(401), ['tokens']);
    expect(first.runs).toBe(0);
    expect(opened.map((s) => [s.runs, s.released, s.hints.memoryArena])).toEqual([
      [1, true, true],
      [1, true, false],
    ]);
  });

  it('refuses runs once released, and releases the session it keeps', async () => {
    const { session, first } = canvasSession();
    await session.release();
    expect(first.released).toBe(true);
    await expect(session.run(feed(1), ['tokens'])).rejects.toThrow(/already released/);
  });
});
