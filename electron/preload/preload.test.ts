/**
 * The preload's wiring against a fake `electron` (contextBridge + ipcRenderer): exactly one object
 * is exposed, it holds only functions and plain data, invokes go to `tessera:` channels, and
 * messages from main are validated before they reach the page.
 */
import { MessageChannel } from 'node:worker_threads';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC } from '../../shared/desktop-ipc.ts';

type Listener = (event: { ports: unknown[] }, ...args: unknown[]) => void;
const fake = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  listeners: new Map<string, Listener>(),
  invokes: [] as { channel: string; args: unknown[] }[],
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api) },
  ipcRenderer: {
    on: (channel: string, listener: Listener) => fake.listeners.set(channel, listener),
    invoke: async (channel: string, ...args: unknown[]) => {
      fake.invokes.push({ channel, args });
      return { ok: true, value: channel === IPC.recoveryRead ? { saved: 1 } : null };
    },
  },
}));

interface Api {
  apiVersion: number;
  postMessage(m: unknown): void;
  onMessage(l: (m: unknown) => void): () => void;
  recovery: { read(): Promise<unknown>; write(v: unknown): Promise<void>; clear(): Promise<void> };
  desktop: Record<string, unknown> & { onMenuCommand(l: (c: unknown) => void): () => void; saveProject(r: object): Promise<unknown> };
}
let api: Api;

beforeAll(async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  await import('./index.ts');
  api = fake.exposed.get('tessera') as Api;
});

function deepValues(value: unknown, seen = new Set<unknown>()): unknown[] {
  if (typeof value !== 'object' || value === null || seen.has(value)) return [value];
  seen.add(value);
  return [value, ...Object.values(value).flatMap((v) => deepValues(v, seen))];
}

describe('preload', () => {
  it('exposes one object, window.tessera, made of functions and plain data only', () => {
    expect([...fake.exposed.keys()]).toEqual(['tessera']);
    expect(Object.keys(api).sort()).toEqual(['apiVersion', 'desktop', 'onMessage', 'postMessage', 'recovery']);
    for (const v of deepValues(api)) {
      expect(['function', 'string', 'number', 'object']).toContain(typeof v);
      if (typeof v === 'object' && v !== null) expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    }
    expect(Object.keys(api.desktop).sort()).toEqual(['exportImage', 'exportLayout', 'importLayout', 'listRecent', 'onMenuCommand', 'openProject', 'openRecent', 'platform', 'saveProject']);
  });

  it('invokes only tessera: channels, with the request shape main validates', async () => {
    await api.desktop.saveProject({ suggestedName: 'scene', bytes: new Uint8Array([1]) });
    expect(await api.recovery.read()).toEqual({ saved: 1 });
    await api.recovery.write({ a: 1 });
    expect(fake.invokes).toEqual([
      { channel: IPC.saveProject, args: [{ suggestedName: 'scene', bytes: new Uint8Array([1]) }] },
      { channel: IPC.recoveryRead, args: [] },
      { channel: IPC.recoveryWrite, args: [{ value: { a: 1 } }] },
    ]);
    expect(fake.invokes.every((i) => i.channel.startsWith('tessera:'))).toBe(true);
  });

  it('delivers only valid menu commands to the page', () => {
    const got: unknown[] = [];
    const off = api.desktop.onMenuCommand((c) => got.push(c));
    const send = fake.listeners.get(IPC.menuCommand) as Listener;
    send({ ports: [] }, { command: 'file.save' });
    send({ ports: [] }, { command: 'rm -rf /' });
    send({ ports: [] }, { command: 'file.openRecent' });
    off();
    send({ ports: [] }, { command: 'file.new' });
    expect(got).toEqual([{ command: 'file.save' }]);
  });

  it('connects the engine port from main and relays messages both ways', async () => {
    const { port1, port2 } = new MessageChannel();
    const got: unknown[] = [];
    api.onMessage((m) => got.push(m));
    const engineSide: unknown[] = [];
    port2.on('message', (m: unknown) => engineSide.push(m));
    (fake.listeners.get(IPC.enginePort) as Listener)({ ports: [port1] }, { generation: 0 });
    api.postMessage({ type: 'models.list', id: 'q1' });
    port2.postMessage({ type: 'reply', id: 'q1', ok: true, value: [] });
    await new Promise((r) => setTimeout(r, 30));
    expect(engineSide).toEqual([{ type: 'models.list', id: 'q1' }]);
    expect(got).toEqual([{ type: 'reply', id: 'q1', ok: true, value: [] }]);

    (fake.listeners.get(IPC.engineLost) as Listener)({ ports: [] }, { reason: 'gone', willRestart: true });
    (fake.listeners.get(IPC.engineLost) as Listener)({ ports: [] }, { bogus: true });
    port1.close();
    port2.close();
  });
});
