import { describe, expect, it } from 'vitest';
import { formatQueueFailure, parseQueueFailure, queueJobId } from './queue.ts';
import { QueueUrlSchema, queueName, redactQueueUrl } from './queue-target.ts';

describe('queue contract', () => {
  it('accepts redis:// and rediss:// URLs with credentials and a db, nothing else', () => {
    for (const ok of ['redis://127.0.0.1:6379', 'redis://user:pa%40ss@redis.example:6380/2', 'rediss://:secret@10.0.0.5:6379', 'redis://[::1]:6379']) expect(QueueUrlSchema.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['http://127.0.0.1:6379', 'redis://', 'redis://host:6379/x', 'redis://host with space:1', 'redis://host:1?family=6']) expect(QueueUrlSchema.safeParse(bad).success, bad).toBe(false);
  });

  it('hides passwords in URLs it shows', () => {
    expect(redactQueueUrl('redis://user:secret@host:6379/1')).toBe('redis://user:***@host:6379/1');
    expect(redactQueueUrl('rediss://:secret@host:6379')).toBe('rediss://:***@host:6379');
    expect(redactQueueUrl('redis://tokenonly@host:6379')).toBe('redis://***@host:6379');
    expect(redactQueueUrl('redis://host:6379')).toBe('redis://host:6379');
  });

  it('carries typed errors through BullMQ failure reasons', () => {
    const payload = { code: 'BAD_CANVAS_SIZE' as const, message: 'The canvas is 128×96: larger than 64×64.\nSecond line.' };
    expect(parseQueueFailure(formatQueueFailure(payload))).toEqual(payload);
    expect(parseQueueFailure('job stalled more than allowable limit')).toEqual({ code: 'INTERNAL', message: 'A worker failed: job stalled more than allowable limit' });
    expect(parseQueueFailure('NOT_A_CODE: x').code).toBe('INTERNAL');
    expect(parseQueueFailure(undefined).message).toMatch(/no reason given/);
  });

  it('names queues and jobs without ":" (BullMQ refuses it)', () => {
    const hash = 'a'.repeat(64);
    expect(queueName(hash, 'cpu')).toBe('generate.cpu.aaaaaaaaaaaaaaaa');
    expect(queueJobId(hash)).not.toMatch(/:/);
  });
});
