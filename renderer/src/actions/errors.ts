/** Turns anything thrown into a toast-sized title and detail. */
import { TesseraError } from '../../../shared/errors.ts';

export function describeError(error: unknown): { title: string; detail: string; code: string } {
  if (error instanceof TesseraError) return { title: titleFor(error.code), detail: error.message, code: error.code };
  return { title: 'Something went wrong', detail: error instanceof Error ? error.message : String(error), code: 'INTERNAL' };
}

function titleFor(code: string): string {
  switch (code) {
    case 'UNKNOWN_COLOURS':
      return 'Unknown colours in the label map';
    case 'BAD_CANVAS_SIZE':
      return 'Canvas size not usable';
    case 'BAD_INPUT':
      return 'Cannot use this input';
    case 'MODEL_NOT_FOUND':
    case 'MODEL_INVALID':
    case 'MODEL_HASH_MISMATCH':
      return 'Model problem';
    case 'BACKEND_UNAVAILABLE':
      return 'Backend unavailable';
    case 'CANCELLED':
      return 'Cancelled';
    case 'ENGINE_CRASHED':
      return 'Engine connection lost';
    case 'NOTHING_TO_DO':
      return 'Nothing to do';
    default:
      return 'Engine error';
  }
}
