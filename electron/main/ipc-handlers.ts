/**
 * The handler for every invoke channel in shared/desktop-ipc.ts, each behind the IPC guard
 * (sender check + zod schema). A plain table, so tests call handlers with fake senders and
 * payloads exactly as ipcMain would; electron/main/ipc.ts registers the table with ipcMain.
 */
import type { z } from 'zod';
import { IPC, IpcRequestSchemas, type InvokeChannel, type IpcResult, type IpcResultValues } from '../../shared/desktop-ipc.ts';
import type { FileService } from './file-service.ts';
import { guardedHandler, type GuardPolicy, type Log, type SenderInfo } from './ipc-guard.ts';
import type { createRecoveryStore } from './recovery-store.ts';

export type IpcHandler<C extends InvokeChannel> = (sender: SenderInfo, payload: unknown) => Promise<IpcResult<IpcResultValues[C]>>;
type IpcPayload<C extends InvokeChannel> = z.output<(typeof IpcRequestSchemas)[C]>;
export type IpcHandlerTable = { [C in InvokeChannel]: IpcHandler<C> };

export interface IpcDeps {
  files: FileService;
  recovery: ReturnType<typeof createRecoveryStore>;
  policy: GuardPolicy;
  log: Log;
}

export function buildIpcHandlers({ files, recovery, policy, log }: IpcDeps): IpcHandlerTable {
  // TypeScript cannot see that a generic index into the schema table is a ZodType; the cast only
  // restates the table's own type for one channel.
  const guard = <C extends InvokeChannel>(channel: C, run: (payload: IpcPayload<C>) => Promise<IpcResultValues[C]>): IpcHandler<C> =>
    guardedHandler(channel, IpcRequestSchemas[channel] as unknown as z.ZodType<IpcPayload<C>>, policy, log, run);

  return {
    [IPC.openProject]: guard(IPC.openProject, () => files.openProject()),
    [IPC.openRecent]: guard(IPC.openRecent, (p) => files.openRecent(p.token)),
    [IPC.listRecent]: guard(IPC.listRecent, () => files.listRecent()),
    [IPC.saveProject]: guard(IPC.saveProject, (p) => files.saveProject(p)),
    [IPC.importLayout]: guard(IPC.importLayout, () => files.importLayout()),
    [IPC.exportImage]: guard(IPC.exportImage, (p) => files.exportFile('image', p)),
    [IPC.exportLayout]: guard(IPC.exportLayout, (p) => files.exportFile('layout', p)),
    [IPC.recoveryRead]: guard(IPC.recoveryRead, () => recovery.read()),
    [IPC.recoveryWrite]: guard(IPC.recoveryWrite, (p) => recovery.write(p.value)),
    [IPC.recoveryClear]: guard(IPC.recoveryClear, () => recovery.clear()),
  };
}
