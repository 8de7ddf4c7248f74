/**
 * The messages between serve mode (the parent) and its engine child (child-entry.ts) on the
 * Node IPC channel. `serialization: 'advanced'` (structured clone) carries them, typed arrays
 * included, so they are plain data like shared/protocol's. Each side parses what it receives:
 * a child that misbehaves (or a parent bug) shows up as a logged, dropped message, never as a
 * crash of the server.
 *
 * Clients are numbers the parent chooses (one per WebSocket connection); the child keeps one
 * engine host per client over its one shared engine.
 */
import { z } from 'zod';
import { EngineMessageSchema } from '../../shared/protocol.ts';

const client = z.number().int().nonnegative();

export const ParentToChildSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('client.opened'), client }),
  z.strictObject({ type: z.literal('client.closed'), client }),
  /** A request from the client; its host parses it with shared/protocol's RequestSchema. */
  z.strictObject({ type: z.literal('client.message'), client, message: z.unknown() }),
  /** A job of a client that has gone away: no one is left to send its job.cancel. */
  z.strictObject({ type: z.literal('engine.cancelJob'), jobId: z.string().min(1).max(128) }),
]);
export type ParentToChild = z.infer<typeof ParentToChildSchema>;

export const ChildToParentSchema = z.discriminatedUnion('type', [
  /** Sent once the child listens: IPC messages that arrive before a listener exists are lost. */
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('client.message'), client, message: EngineMessageSchema }),
]);
export type ChildToParent = z.infer<typeof ChildToParentSchema>;
