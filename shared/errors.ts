/**
 * Typed error codes with human messages. Every failure that crosses a process boundary is one of
 * these codes plus a message that tells the user what to do; the CLI maps them to exit codes.
 */
import { z } from 'zod';

export const ERROR_CODES = [
  'BAD_REQUEST', // a message that does not match the protocol
  'BAD_INPUT', // user input that cannot be used (a PNG, a size, a setting)
  'UNKNOWN_COLOURS', // a label PNG with colours that are not in the model's palette
  'BAD_CANVAS_SIZE', // a canvas that is not a multiple of the grid or is out of range
  'NOTHING_TO_DO', // e.g. an empty inpaint mask
  'MODEL_NOT_FOUND',
  'MODEL_INVALID', // a manifest, a shape or a tensor name that does not match
  'MODEL_HASH_MISMATCH',
  'BACKEND_UNAVAILABLE',
  'NUMERIC_ERROR', // NaN or infinite logits
  'CANCELLED',
  'IO_ERROR', // a file that cannot be read or written (disk full, permissions)
  'ENGINE_CRASHED',
  'QUEUE_UNAVAILABLE', // a Redis queue that cannot be reached or used (docs/DISTRIBUTED.md)
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorPayloadSchema = z.strictObject({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  /** Optional structured details (e.g. the unknown colours), plain JSON. */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorPayload = z.infer<typeof ErrorPayloadSchema>;

export class TesseraError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'TesseraError';
    this.code = code;
    this.details = details;
  }

  toPayload(): ErrorPayload {
    return this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: this.details };
  }

  static fromPayload(payload: ErrorPayload): TesseraError {
    return new TesseraError(payload.code, payload.message, payload.details);
  }
}

/** Wraps anything thrown into a payload; unknown errors become INTERNAL with their message kept. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof TesseraError) return error.toPayload();
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: `Unexpected error: ${message}` };
}

/** CLI exit codes: 0 ok, 2 bad input, 3 model error, 130 cancelled, 1 anything else. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'BAD_REQUEST':
    case 'BAD_INPUT':
    case 'UNKNOWN_COLOURS':
    case 'BAD_CANVAS_SIZE':
    case 'NOTHING_TO_DO':
      return 2;
    case 'MODEL_NOT_FOUND':
    case 'MODEL_INVALID':
    case 'MODEL_HASH_MISMATCH':
    case 'BACKEND_UNAVAILABLE':
      return 3;
    case 'CANCELLED':
      return 130;
    default:
      return 1;
  }
}
