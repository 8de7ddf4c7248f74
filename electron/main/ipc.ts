/** Registers the IPC handler table with ipcMain, describing each sender for the guard. */
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { InvokeChannel } from '../../shared/desktop-ipc.ts';
import type { IpcHandlerTable } from './ipc-handlers.ts';
import type { SenderInfo } from './ipc-guard.ts';

export function senderInfo(event: IpcMainInvokeEvent): SenderInfo {
  const frame = event.senderFrame;
  return { frameUrl: frame?.url ?? null, isMainFrame: frame !== null && frame.parent === null, webContentsId: event.sender.id };
}

export function registerIpcHandlers(table: IpcHandlerTable): void {
  for (const channel of Object.keys(table) as InvokeChannel[]) {
    const handler = table[channel] as (sender: SenderInfo, payload: unknown) => Promise<unknown>;
    ipcMain.handle(channel, (event, payload: unknown) => handler(senderInfo(event), payload));
  }
}
