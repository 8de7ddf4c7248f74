/**
 * Runs a command body with Tessera's exit-code contract: 0 ok, 2 bad input, 3 model error,
 * 130 cancelled (SIGINT), 1 anything else. Errors go to stderr, or as a JSON line with --json.
 */
import { exitCodeFor, TesseraError, toErrorPayload } from '../../../shared/errors.ts';
import { InvalidArgumentError } from 'commander';
import { jsonLine } from './reporter.ts';

export async function runCommand(json: boolean, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const payload = toErrorPayload(error);
    if (json) process.stdout.write(`${jsonLine({ type: 'error', error: payload })}\n`);
    else process.stderr.write(`error [${payload.code}]: ${payload.message}\n`);
    process.exitCode = exitCodeFor(payload.code);
  }
}

/**
 * Cancels on the first SIGINT (the job stops after the forward in flight, exit code 130); a
 * second SIGINT exits at once. Returns a function that removes the handler.
 */
export function onInterrupt(cancel: () => void): () => void {
  let count = 0;
  const handler = (): void => {
    count++;
    if (count === 1) {
      process.stderr.write('\nCancelling… (Ctrl-C again to quit at once)\n');
      cancel();
    } else process.exit(130);
  };
  process.on('SIGINT', handler);
  return () => process.off('SIGINT', handler);
}

export function parseSize(text: string, what: string): { width: number; height: number } {
  const m = /^(\d+)\s*[x×]\s*(\d+)$/i.exec(text.trim());
  if (!m) throw new TesseraError('BAD_INPUT', `${what} must be WIDTHxHEIGHT, e.g. 512x256 (got "${text}").`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** commander argParser for numbers: a clear message and exit code 2 (see main.ts). */
export function numberOption(what: string, check: (n: number) => boolean, range: string): (text: string) => number {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || !check(n)) throw new InvalidArgumentError(`${what} must be ${range} (got "${text}").`);
    return n;
  };
}
