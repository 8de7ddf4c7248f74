/**
 * `npm start` without Electron: open the studio that is already running (a second `npm start`),
 * or start one in serve mode, on the default port or — when another program holds it — a free one.
 * What to print and open is returned, so the rule is tested without a browser.
 */
import { findRunningStudio, instanceRecordPath } from '../serve/instance-record.ts';
import { prepareServe, startServe, type ServeHandle, type ServeOptions } from '../serve/main.ts';

export type StudioStart = { kind: 'opened-running'; url: string } | { kind: 'started'; handle: ServeHandle; note?: string };

export async function openOrStartStudio(stateDir: string, overrides: Partial<ServeOptions> = {}): Promise<StudioStart> {
  const running = await findRunningStudio(instanceRecordPath(stateDir));
  if (running) return { kind: 'opened-running', url: running };
  const options = await prepareServe({ portFallback: true, ...overrides }, stateDir);
  const handle = await startServe(options);
  const note = handle.busyPort !== undefined ? `Port ${handle.busyPort} is in use by another program, so this studio took port ${handle.port}.` : undefined;
  return { kind: 'started', handle, ...(note ? { note } : {}) };
}
