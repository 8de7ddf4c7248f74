/**
 * The distributed batch's contract: what travels through Redis between `tessera batch --queue`
 * (the producer, which owns the folder) and `tessera worker` processes on any machine, and what
 * the studio shows about a queue. Everything that comes out of Redis is parsed with these
 * schemas: another program (or another Tessera version) may have written it.
 *
 * One queue per model and backend (see queueName): a worker only ever sees jobs for the model
 * files it has loaded, and still checks each job's model hash before it works on it.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorPayload } from './errors.ts';
import { GenerationSettingsSchema } from './protocol.ts';
import { ActiveBackendSchema, ModelIdentitySchema } from './queue-target.ts';

const base64 = (max: number) => z.string().max(max).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

/**
 * A job's id: a hash of everything its PNG depends on (the item's tEXt), so the same image is the
 * same job in every run of every batch: a rerun never adds a job that exists, and a result that
 * is waiting in Redis is found again.
 */
export function queueJobId(itemHash: string): string {
  return `img.${itemHash}`;
}

/** One image to make: job data. */
export const QueueJobSchema = z.strictObject({
  format: z.literal('tessera-queue-job'),
  version: z.literal(1),
  model: ModelIdentitySchema,
  backend: ActiveBackendSchema,
  layoutName: z.string().min(1).max(200),
  /** The layout as a base64 8-bit index PNG (the `tessera:layout` tEXt of the result). */
  layout: base64(16 * 1024 * 1024),
  settings: GenerationSettingsSchema,
  /** Where the producer will put it (for logs and dashboards; workers never write files). */
  index: z.number().int().nonnegative(),
  file: z.string().min(1).max(300),
});
export type QueueJob = z.infer<typeof QueueJobSchema>;

/** A finished image: the job's return value. */
export const QueueResultSchema = z.strictObject({
  format: z.literal('tessera-queue-result'),
  version: z.literal(1),
  /** The PNG with its tEXt record, as the local batch would write it (base64). */
  png: base64(64 * 1024 * 1024),
  /** Sampled tokens (little-endian uint16) and per-token entropy (little-endian float32), base64: the studio's gallery shows them. */
  tokens: base64(16 * 1024 * 1024),
  entropy: base64(32 * 1024 * 1024),
  grid: z.strictObject({ rows: z.number().int().positive(), cols: z.number().int().positive() }),
  worker: z.string().max(300),
  seconds: z.number().nonnegative(),
});
export type QueueResult = z.infer<typeof QueueResultSchema>;

/**
 * A failure as BullMQ stores it (the job's `failedReason`, a string): `CODE: message`, so that
 * dashboards show it as it is and the producer reads the typed error back.
 */
export function formatQueueFailure(error: ErrorPayload): string {
  return `${error.code}: ${error.message}`;
}

export function parseQueueFailure(reason: string | undefined): ErrorPayload {
  const m = /^([A-Z_]+): ([\s\S]*)$/.exec(reason ?? '');
  const code = ERROR_CODES.find((c) => c === m?.[1]);
  if (m && code) return { code, message: m[2] as string };
  return { code: 'INTERNAL', message: `A worker failed: ${reason?.trim() || 'no reason given'}` };
}
