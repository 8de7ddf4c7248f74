/** The bench's idle rule: a run that starts above 0.3 (1-minute load average) is not called idle. */
import { describe, expect, it } from 'vitest';
import { checkIdle, IDLE_LOAD_MAX } from '../../electron/cli/bench/load.ts';
import { median } from '../../electron/cli/bench/first-preview.ts';

describe('bench load check', () => {
  it('calls a run idle only at or below the threshold, and says why not otherwise', () => {
    expect(IDLE_LOAD_MAX).toBe(0.3);
    expect(checkIdle([0.3, 1, 1])).toEqual({ idle: true, loadAtStart: [0.3, 1, 1], warning: null });
    const busy = checkIdle([0.31, 0.2, 0.1]);
    expect(busy.idle).toBe(false);
    expect(busy.warning).toMatch(/0\.31 \(above 0\.3\).*NOT idle figures/);
  });

  it('medians of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
