/**
 * Peak memory of a child process, from Linux's /proc: VmRSS (now) and VmHWM (peak), and
 * `clear_refs` 5, which resets the peak to the current RSS so one long-lived process can report a
 * peak per case. Everything returns null where /proc is missing (macOS): the runner then reports
 * no memory figures rather than wrong ones.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export const rssMb = (pid: number): number | null => statusField(pid, 'VmRSS');
export const peakMb = (pid: number): number | null => statusField(pid, 'VmHWM');

/** Resets the process's peak RSS to its current RSS (Linux ≥ 4.0); false where that is not possible. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** The direct children of a process (for /usr/bin/time → node). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Total RSS of a process and its descendants. */
export function treeRssMb(pid: number): number | null {
  const own = rssMb(pid);
  if (own === null) return null;
  return childPids(pid).reduce((sum, c) => sum + (treeRssMb(c) ?? 0), own);
}

/** GNU time, which reports a child's peak RSS after it exits (`-f %M`, in KB). */
export const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** The 1, 5 and 15 minute load averages, for the report. */
export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}
