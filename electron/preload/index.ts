/**
 * The sandboxed preload: exposes exactly one object, `window.tessera`, through contextBridge.
 * It carries the engine MessagePort (via engine-bridge.ts), the autosave slot and the shell's file
 * and menu API (shared/desktop-ipc.ts). Only functions and plain data cross the bridge: no
 * ipcRenderer, no event objects, no ports, no Node values. Sandboxed preloads cannot use Node
 * built-ins, and this one imports only `electron` and shared/ (checked by the layering lint rule).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { TesseraPreloadApi } from '../../shared/preload-api.ts';
import {
  EngineLostNoticeSchema,
  EnginePortNoticeSchema,
  IPC,
  MenuCommandSchema,
  type InvokeChannel,
  type IpcRequest,
  type IpcResult,
  type IpcResultValues,
  type MenuCommand,
  type TesseraDesktopApi,
} from '../../shared/desktop-ipc.ts';
import { createEngineBridge } from './engine-bridge.ts';

const log = (line: string): void => console.warn(line);
const bridge = createEngineBridge(log);

ipcRenderer.on(IPC.enginePort, (event: IpcRendererEvent, notice: unknown) => {
  const parsed = EnginePortNoticeSchema.safeParse(notice);
  const port = event.ports[0];
  if (!parsed.success || port === undefined) {
    log('[preload] ignored a malformed engine port message');
    return;
  }
  bridge.attachPort(port, parsed.data);
});

ipcRenderer.on(IPC.engineLost, (_event: IpcRendererEvent, notice: unknown) => {
  const parsed = EngineLostNoticeSchema.safeParse(notice);
  if (parsed.success) bridge.engineLost(parsed.data);
});

const menuListeners = new Set<(command: MenuCommand) => void>();
ipcRenderer.on(IPC.menuCommand, (_event: IpcRendererEvent, command: unknown) => {
  const parsed = MenuCommandSchema.safeParse(command);
  if (!parsed.success) return;
  for (const listener of [...menuListeners]) listener(parsed.data);
});

/** Invoke with the channel's request type; main validates again and answers with a result object. */
function invoke<C extends InvokeChannel>(channel: C, ...payload: IpcRequest<C> extends undefined ? [] : [IpcRequest<C>]): Promise<IpcResult<IpcResultValues[C]>> {
  return ipcRenderer.invoke(channel, ...payload) as Promise<IpcResult<IpcResultValues[C]>>;
}

/** Unwraps a result for the recovery slot, whose interface (shared/preload-api.ts) is promise-based. */
async function unwrap<T>(result: Promise<IpcResult<T>>): Promise<T> {
  const settled = await result;
  if (!settled.ok) throw new Error(`${settled.error.code}: ${settled.error.message}`);
  return settled.value;
}

function platformName(): TesseraDesktopApi['platform'] {
  const p = process.platform;
  return p === 'darwin' || p === 'win32' || p === 'linux' ? p : 'other';
}

const desktop: TesseraDesktopApi = {
  platform: platformName(),
  openProject: () => invoke(IPC.openProject),
  openRecent: (token) => invoke(IPC.openRecent, { token }),
  listRecent: () => invoke(IPC.listRecent),
  saveProject: ({ token, suggestedName, bytes }) => invoke(IPC.saveProject, token === undefined ? { suggestedName, bytes } : { token, suggestedName, bytes }),
  importLayout: () => invoke(IPC.importLayout),
  exportImage: ({ suggestedName, bytes }) => invoke(IPC.exportImage, { suggestedName, bytes }),
  exportLayout: ({ suggestedName, bytes }) => invoke(IPC.exportLayout, { suggestedName, bytes }),
  onMenuCommand(listener) {
    menuListeners.add(listener);
    return () => menuListeners.delete(listener);
  },
};

const api: TesseraPreloadApi & { readonly desktop: TesseraDesktopApi } = {
  apiVersion: 1,
  postMessage: (message) => bridge.postMessage(message),
  onMessage: (listener) => bridge.onMessage(listener),
  recovery: {
    read: () => unwrap(invoke(IPC.recoveryRead)),
    write: async (value) => void (await unwrap(invoke(IPC.recoveryWrite, { value }))),
    clear: async () => void (await unwrap(invoke(IPC.recoveryClear))),
  },
  desktop,
};

contextBridge.exposeInMainWorld('tessera', api);
