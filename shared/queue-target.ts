/**
 * Which queue the studio or the CLI talks to, and what it shows about one: the URL, the queue of
 * a model on a backend, the connected workers. Imported by protocol.ts (the studio asks the engine
 * host for a queue's status), so it depends on zod alone; the job payloads are in queue.ts.
 */
import { z } from 'zod';

/** `redis://[user:pass@]host:port[/db]` or, with TLS, `rediss://…`. */
export const QueueUrlSchema = z
  .string()
  .max(2048)
  .regex(/^rediss?:\/\/[^\s/?#]+(\/\d{0,5})?$/, 'a queue is redis://[user:password@]host:port[/db] or rediss://… (TLS)');

/** BullMQ key prefix: every key of Tessera's queues starts with `tessera:`. */
export const QUEUE_PREFIX = 'tessera';

export const ActiveBackendSchema = z.enum(['cpu', 'webgpu', 'wasm']);
export const ModelIdentitySchema = z.strictObject({ id: z.string().min(1).max(200), version: z.string().min(1).max(100), hash: z.string().regex(/^[0-9a-f]{64}$/) });

/** The queue of one model (by its identity hash) on one backend. BullMQ queue names may not contain ':'. */
export function queueName(modelHash: string, backend: z.infer<typeof ActiveBackendSchema>): string {
  return `generate.${backend}.${modelHash.slice(0, 16)}`;
}

/** A worker connected to a queue, as Redis lists it. */
export const QueueWorkerSchema = z.strictObject({
  name: z.string(),
  /** host:port the worker connects from. */
  addr: z.string(),
  /** Seconds connected. */
  ageSeconds: z.number().nonnegative(),
});
export type QueueWorker = z.infer<typeof QueueWorkerSchema>;

export const QueueStatusSchema = z.strictObject({
  /** The URL with its password hidden. */
  url: z.string(),
  queue: z.string(),
  model: ModelIdentitySchema,
  backend: ActiveBackendSchema,
  workers: z.array(QueueWorkerSchema),
  jobs: z.strictObject({ waiting: z.number().int().nonnegative(), active: z.number().int().nonnegative(), delayed: z.number().int().nonnegative(), failed: z.number().int().nonnegative() }),
});
export type QueueStatus = z.infer<typeof QueueStatusSchema>;

/** The URL as it may be shown or logged: the password replaced by ***. */
export function redactQueueUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/)([^@/]*)@/, (_all, scheme: string, auth: string) => `${scheme}${auth.includes(':') ? `${auth.slice(0, auth.indexOf(':'))}:***` : '***'}@`);
}
