/**
 * What "handled" means, in one place. A case that ran is judged in this order — the first that
 * applies is its verdict:
 *   hang     it did not finish within its timeout (the process was killed);
 *   memory   the watchdog killed it for growing past the kill limit (ceiling + 384 MB), or it
 *            finished with a peak RSS over the case's ceiling (checked after crash);
 *   crash    the process died (a signal, an uncaught exception, an exit code outside the contract);
 *   partial  it left a file it should not have (anything after a failure, a temp file, a torn PNG);
 *   unclear  it ended, but not as the case says: another exit code or error code, a stack trace,
 *            an error longer than the output limit;
 *   handled  everything else.
 */
import type { CaseResult, CliExpect, Verdict } from './types.ts';

/** A JavaScript stack frame or Node's internals in output: the user was shown a crash, not a message. */
export function stackTraceLine(text: string): string | null {
  const m = /^\s{2,}at .+(\(.*:\d+:\d+\)|:\d+:\d+)\s*$/m.exec(text) ?? /^.*node:internal.*$/m.exec(text);
  return m ? m[0].trim().slice(0, 160) : null;
}

export interface CliRun {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
  peakRssMb: number | null;
  timedOut: boolean;
  /** Killed by the runner for going over twice the memory ceiling. */
  killedAtMb: number | null;
  /** An exception that escaped the command (harness) or the process died without replying. */
  crash: string | null;
  outputProblems: string[];
}

/** Exit codes of the CLI contract (README): 0 ok, 1 other error, 2 bad input, 3 model error, 130 cancelled. */
const CONTRACT = new Set([0, 1, 2, 3, 130]);

export function judgeCli(expect: CliExpect, run: CliRun): { verdict: Verdict; detail: string } {
  const output = `${run.stdout}\n${run.stderr}`;
  const errorLine = /^error \[([A-Z_]+)\]: (.*)$/m.exec(run.stderr);
  const said = errorLine ? `${errorLine[1]}: ${(errorLine[2] ?? '').slice(0, 140)}` : run.stderr.trim().split('\n').at(-1)?.slice(0, 140) ?? '';
  if (run.timedOut) return { verdict: 'hang', detail: `no exit within ${expect.timeoutMs} ms` };
  if (run.killedAtMb !== null) return { verdict: 'memory', detail: `killed at ${run.killedAtMb.toFixed(0)} MB (ceiling ${expect.maxRssMb} MB)` };
  if (run.crash) return { verdict: 'crash', detail: run.crash.slice(0, 300) };
  if (run.signal) return { verdict: 'crash', detail: `killed by ${run.signal}; ${said}` };
  if (run.exitCode === null || !CONTRACT.has(run.exitCode)) return { verdict: 'crash', detail: `exit code ${run.exitCode}; ${said}` };
  const stack = stackTraceLine(output);
  if (run.exitCode === 1 && !errorLine && stack) return { verdict: 'crash', detail: `uncaught exception: ${stack}` };
  if (run.peakRssMb !== null && run.peakRssMb > expect.maxRssMb) return { verdict: 'memory', detail: `peak ${run.peakRssMb.toFixed(0)} MB > ceiling ${expect.maxRssMb} MB; exit ${run.exitCode} ${said}` };
  if (run.outputProblems.length > 0) return { verdict: 'partial', detail: run.outputProblems.slice(0, 3).join('; ') };
  if (!expect.exitCodes.includes(run.exitCode)) return { verdict: 'unclear', detail: `exit ${run.exitCode}, expected ${expect.exitCodes.join('/')}: ${said}` };
  if (stack) return { verdict: 'unclear', detail: `stack trace in the output: ${stack}` };
  if (Buffer.byteLength(output) > expect.maxOutputBytes) return { verdict: 'unclear', detail: `${Buffer.byteLength(output)} bytes of output (limit ${expect.maxOutputBytes}): ${said.slice(0, 80)}` };
  if (run.exitCode !== 0) {
    const report = run.exitCode === 3 && /^FAIL /m.test(run.stdout);
    if (!errorLine && !report) return { verdict: 'unclear', detail: `exit ${run.exitCode} without an "error [CODE]" line: ${said}` };
    if (errorLine && !expect.errorCodes.includes(errorLine[1] as CliExpect['errorCodes'][number])) return { verdict: 'unclear', detail: `error code ${said}; expected ${expect.errorCodes.join('/')}` };
  }
  return { verdict: 'handled', detail: run.exitCode === 0 ? 'exit 0' : `exit ${run.exitCode} ${errorLine ? said : 'verify report'}` };
}

export function result(base: Pick<CaseResult, 'id' | 'door' | 'category' | 'what' | 'via'>, judged: { verdict: Verdict; detail: string }, ms: number, peakRssMb: number | null): CaseResult {
  return { ...base, verdict: judged.verdict, detail: judged.detail, ms, peakRssMb };
}
