import { describe, expect, it } from 'vitest';
import { TesseraError } from '../../shared/errors.ts';
import { raceCancel } from '../cancel.ts';
import { JobQueue } from './queue.ts';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('JobQueue', () => {
  it('runs jobs one at a time in submission order', async () => {
    const queue = new JobQueue();
    const log: string[] = [];
    const job = (name: string) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([queue.submit('a', job('a')), queue.submit('b', job('b'))]);
    expect(results).toEqual(['a', 'b']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('cancels a queued job without starting it, and a running one through its token', async () => {
    const queue = new JobQueue();
    let release: () => void = () => undefined;
    const running = queue.submit('run', (cancel) => raceCancel(new Promise<void>((r) => (release = r)), cancel));
    let started = false;
    const queued = queue.submit('queued', async () => {
      started = true;
    });
    expect(queue.cancel('queued')).toBe(true);
    await expect(queued).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(queue.cancel('run')).toBe(true);
    await expect(running).rejects.toBeInstanceOf(TesseraError);
    release();
    expect(started).toBe(false);
    expect(queue.busy).toBe(false);
    expect(await queue.submit('next', async () => 'ok')).toBe('ok');
  });

  it('refuses a duplicate job id while the first is queued or running', async () => {
    const queue = new JobQueue();
    const first = queue.submit('same', async () => tick());
    await expect(queue.submit('same', async () => undefined)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await first;
  });

  it('keeps going after a job fails', async () => {
    const queue = new JobQueue();
    await expect(queue.submit('bad', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await queue.submit('good', async () => 1)).toBe(1);
  });
});
