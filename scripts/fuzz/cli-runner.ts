/**
 * Runs a CLI case (doors png and bundle) one of two ways and judges it:
 *   harness  the command runs inside the long-lived harness process (harness-worker.ts);
 *   cli      a real `node --import tsx electron/cli/main.ts …` process (what `npm run cli` runs),
 *            under GNU time for its peak RSS where /usr/bin/time exists (else /proc polling).
 * Both get the same files, the same arguments and the same environment.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkerReply } from './harness-worker.ts';
import { killLimitMb, type Harness } from './harness.ts';
import { judgeCli, result, type CliRun } from './judge.ts';
import { cleanup, materialize, outputProblems } from './materialize.ts';
import { REPO } from './fixture.ts';
import { childPids, GNU_TIME, peakMb, rssMb } from './proc.ts';
import type { CaseResult, CliCase } from './types.ts';

export interface CliContext {
  harness: Harness;
  env: NodeJS.ProcessEnv;
  /** A fresh temporary folder per case is made under this. */
  tmp: string;
}

let serial = 0;

export async function runCliCase(c: CliCase, via: 'harness' | 'cli', ctx: CliContext): Promise<CaseResult> {
  const root = path.join(ctx.tmp, `${c.id}-${via}-${serial++}`);
  const t0 = performance.now();
  let run: CliRun;
  try {
    const m = materialize(c, root);
    const soFar = via === 'harness' ? await inHarness(c, m.argv, ctx.harness) : await spawned(c, m.argv, ctx.env, root);
    run = { ...soFar, outputProblems: soFar.timedOut || soFar.killedAtMb !== null ? [] : outputProblems(m.outDir, soFar.exitCode === 0) };
  } finally {
    cleanup(root);
  }
  const judged = judgeCli(c.expect, run);
  return result({ id: c.id, door: c.door, category: c.category, what: c.what, via }, judged, performance.now() - t0, run.peakRssMb);
}

type RunSoFar = Omit<CliRun, 'outputProblems'>;

async function inHarness(c: CliCase, argv: string[], harness: Harness): Promise<RunSoFar> {
  const outcome = await harness.run<Extract<WorkerReply, { type: 'cli-done' }>>({ type: 'cli', id: c.id, argv }, c.expect);
  const none = { exitCode: null, signal: null, stdout: '', ms: 0, peakRssMb: null, timedOut: false, killedAtMb: null, crash: null };
  if ('timedOut' in outcome) return { ...none, stderr: outcome.nativeStderr, timedOut: true };
  if ('killedAtMb' in outcome) return { ...none, stderr: outcome.nativeStderr, killedAtMb: outcome.killedAtMb, peakRssMb: outcome.killedAtMb };
  if ('crash' in outcome) return { ...none, stderr: outcome.nativeStderr, crash: outcome.crash };
  const r = outcome.reply;
  // Output onnxruntime or Node wrote straight to the file descriptors belongs to the case too.
  return { exitCode: r.exitCode, signal: null, stdout: r.stdout, stderr: `${r.stderr}${outcome.nativeStderr}`, ms: r.ms, peakRssMb: r.peakRssMb, timedOut: false, killedAtMb: null, crash: r.crash };
}

const MAX_CAPTURE = 4 * 1024 * 1024;

function spawned(c: CliCase, argv: string[], env: NodeJS.ProcessEnv, root: string): Promise<RunSoFar> {
  const timeFile = path.join(root, 'peak-rss.txt');
  const node = [process.execPath, '--import', 'tsx', path.join(REPO, 'electron', 'cli', 'main.ts'), ...argv];
  const [command, ...args] = GNU_TIME ? [GNU_TIME, '-o', timeFile, '-f', '%M', ...node] : node;
  const t0 = performance.now();
  return new Promise<RunSoFar>((resolve) => {
    // Its own process group, so a timeout kills node and not just GNU time.
    const child = spawn(command as string, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let extra = 0;
    const collect = (which: 'out' | 'err') => (d: Buffer) => {
      const text = d.toString();
      if (stdout.length + stderr.length < MAX_CAPTURE) {
        if (which === 'out') stdout += text;
        else stderr += text;
      } else extra += d.length;
    };
    child.stdout.on('data', collect('out'));
    child.stderr.on('data', collect('err'));
    let timedOut = false;
    let killedAtMb: number | null = null;
    let polledPeak: number | null = null;
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, c.expect.timeoutMs);
    const limit = killLimitMb(c.expect.maxRssMb);
    const poll = setInterval(() => {
      if (child.pid === undefined) return;
      const pid = GNU_TIME ? childPids(child.pid)[0] : child.pid;
      if (pid === undefined) return;
      const rss = rssMb(pid);
      polledPeak = Math.max(polledPeak ?? 0, peakMb(pid) ?? rss ?? 0);
      if (rss !== null && rss > limit) {
        killedAtMb = rss;
        killGroup();
      }
    }, 20);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      let exitCode = code;
      let sig: string | null = signal;
      let peak: number | null = polledPeak;
      if (GNU_TIME) {
        try {
          const lines = readFileSync(timeFile, 'utf8').trim().split('\n');
          const kb = Number(lines.at(-1));
          if (Number.isFinite(kb)) peak = kb / 1024;
          const terminated = /terminated by signal (\d+)/.exec(lines.join('\n'));
          if (terminated) {
            sig = `signal ${terminated[1]}`;
            exitCode = null;
          }
        } catch {
          // GNU time itself was killed (timeout): keep the polled peak
        }
      }
      if (extra > 0) stderr += `\n[${extra} more bytes of output not kept]`;
      resolve({ exitCode, signal: timedOut || killedAtMb !== null ? null : sig, stdout, stderr, ms: performance.now() - t0, peakRssMb: peak, timedOut, killedAtMb, crash: null });
    });
  });
}
