/**
 * Receipt-side validation of everything the engine sends. A message that does not parse is
 * dropped and reported; a reply is checked twice: the envelope (ReplySchema) and then its value
 * against the schema of the request it answers, so a caller never sees an unchecked value.
 */
import { describeIssues } from '../../../shared/manifest.ts';
import type { EngineEvent, Reply, ReplyValues, RequestType } from '../../../shared/protocol.ts';
import { EventSchema, ReplySchema, ReplyValueSchemas } from '../../../shared/protocol.ts';

export type Incoming = { kind: 'reply'; reply: Reply } | { kind: 'event'; event: EngineEvent } | { kind: 'invalid'; problem: string; id: string | null };

function idOf(message: unknown): string | null {
  if (typeof message === 'object' && message !== null && 'id' in message && typeof message.id === 'string') return message.id;
  return null;
}

export function classifyIncoming(message: unknown): Incoming {
  const isReply = typeof message === 'object' && message !== null && 'type' in message && message.type === 'reply';
  if (isReply) {
    const parsed = ReplySchema.safeParse(message);
    return parsed.success ? { kind: 'reply', reply: parsed.data } : { kind: 'invalid', problem: `invalid reply: ${describeIssues(parsed.error)}`, id: idOf(message) };
  }
  const parsed = EventSchema.safeParse(message);
  return parsed.success ? { kind: 'event', event: parsed.data } : { kind: 'invalid', problem: `invalid event: ${describeIssues(parsed.error)}`, id: null };
}

export function parseReplyValue<T extends RequestType>(type: T, value: unknown): { ok: true; value: ReplyValues[T] } | { ok: false; problem: string } {
  const schema = ReplyValueSchemas[type];
  const parsed = schema.safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data as ReplyValues[T] } : { ok: false, problem: `invalid ${type} reply value: ${describeIssues(parsed.error)}` };
}
