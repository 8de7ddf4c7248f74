/**
 * The machine's load beside every figure. On a small shared box the same run is 2–3× slower
 * while other work holds the cores, so a number without its load average cannot be compared with
 * anything; and a run may only call itself "idle" when the 1-minute load average was low when it
 * started.
 */
import os from 'node:os';

/** Above this 1-minute load average at the start, a run is not called idle. */
export const IDLE_LOAD_MAX = 0.3;

/** 1-, 5- and 15-minute load averages, rounded to what is worth printing. */
export function loadAverages(): [number, number, number] {
  const [a = 0, b = 0, c = 0] = os.loadavg();
  return [round2(a), round2(b), round2(c)];
}

/** The 1-minute load average now (what is printed beside a figure). */
export function load1(): number {
  return loadAverages()[0];
}

export interface IdleCheck {
  idle: boolean;
  loadAtStart: [number, number, number];
  /** Why the run is not idle (printed before the run and kept in the report), or null. */
  warning: string | null;
}

export function checkIdle(loadAtStart: [number, number, number], max = IDLE_LOAD_MAX): IdleCheck {
  if (loadAtStart[0] <= max) return { idle: true, loadAtStart, warning: null };
  return {
    idle: false,
    loadAtStart,
    warning:
      `the 1-minute load average is ${loadAtStart[0].toFixed(2)} (above ${max}): something else is using the cores, ` +
      'so these figures are NOT idle figures. The run goes on; every figure carries the load it was taken at.',
  };
}

export function formatLoad(load: number): string {
  return `load ${load.toFixed(2)}`;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
