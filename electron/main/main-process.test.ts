/**
 * The main process's wiring, run for real against a fake `electron` module (no Electron binary
 * exists on these machines). The plain modules have their own tests; this one checks that
 * index.ts connects them as intended: privileged scheme + sandbox before ready, the locked window,
 * the app:// handler with CSP, IPC guarded by sender and schema, navigation/window.open/permission
 * handlers on every webContents, the engine forked as a utilityProcess with a MessagePort handed
 * to the renderer, and crash → "engine lost" notice → restart → new port with the reason.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC, IpcRequestSchemas } from '../../shared/desktop-ipc.ts';

type Handler = (...args: unknown[]) => unknown;

/** One end of a linked pair, like MessagePortMain: what one end posts, the other receives. */
class FakePort extends EventEmitter {
  peer: FakePort | null = null;
  posted: unknown[] = [];
  postMessage(message: unknown): void {
    this.posted.push(message);
    setImmediate(() => this.peer?.emit('message', { data: message, ports: [] }));
  }
  start(): void {}
  close(): void {}
}

class FakeChild extends EventEmitter {
  static count = 0;
  readonly pid = 4000 + FakeChild.count++;
  received: { message: unknown; ports: FakePort[] }[] = [];
  postMessage(message: unknown, ports: FakePort[] = []): void {
    this.received.push({ message, ports });
    // A minimal engine host: answers models.list on every connected port.
    for (const port of ports) {
      port.on('message', ({ data }: { data: { type?: string; id?: string } }) => {
        if (data.type === 'models.list') port.postMessage({ type: 'reply', id: data.id, ok: true, value: [] });
      });
    }
  }
  kill(): void {
    this.emit('exit', 0);
  }
}

class FakeWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  sent: { channel: string; args: unknown[] }[] = [];
  portMessages: { channel: string; message: unknown; ports: FakePort[] }[] = [];
  windowOpenHandler: Handler | null = null;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  postMessage(channel: string, message: unknown, ports: FakePort[] = []): void {
    this.portMessages.push({ channel, message, ports });
  }
  setWindowOpenHandler(handler: Handler): void {
    this.windowOpenHandler = handler;
  }
  isLoading(): boolean {
    return false;
  }
}

const userData = mkdtempSync(path.join(tmpdir(), 'tessera-main-'));
const fake = vi.hoisted(() => ({
  calls: [] as { what: string; args: unknown[] }[],
  appEvents: new Map<string, Handler>(),
  windows: [] as { options: Record<string, unknown>; webContents: unknown; url?: string }[],
  ipcHandlers: new Map<string, Handler>(),
  protocolHandler: null as Handler | null,
  headersHandler: null as Handler | null,
  permissionHandler: null as Handler | null,
  children: [] as unknown[],
  menus: [] as unknown[],
}));

vi.mock('electron', () => {
  const record = (what: string) => (...args: unknown[]) => {
    fake.calls.push({ what, args });
  };
  const paths = new Map<string, string>();
  const app = {
    isPackaged: false,
    setPath: (name: string, value: string) => paths.set(name, value),
    getPath: (name: string) => paths.get(name) ?? path.join(userData, name),
    getAppPath: () => path.resolve('.'),
    getName: () => 'Tessera',
    getVersion: () => '0.1.0',
    enableSandbox: record('app.enableSandbox'),
    requestSingleInstanceLock: () => {
      fake.calls.push({ what: 'app.requestSingleInstanceLock', args: [] });
      return true;
    },
    quit: record('app.quit'),
    exit: record('app.exit'),
    on: (event: string, handler: Handler) => fake.appEvents.set(event, handler),
    whenReady: () => Promise.resolve(),
  };
  class BrowserWindow extends EventEmitter {
    readonly webContents = new FakeWebContents();
    constructor(readonly options: Record<string, unknown>) {
      super();
      const entry: { options: Record<string, unknown>; webContents: unknown; url?: string } = { options, webContents: this.webContents };
      fake.windows.push(entry);
      fake.appEvents.get('web-contents-created')?.({}, this.webContents);
    }
    loadURL(url: string): Promise<void> {
      const entry = fake.windows.find((w) => w.webContents === this.webContents);
      if (entry) entry.url = url;
      return Promise.resolve();
    }
    maximize(): void {}
    show(): void {}
    setMenu(): void {}
    isDestroyed(): boolean {
      return false;
    }
    isMinimized(): boolean {
      return false;
    }
    isFullScreen(): boolean {
      return false;
    }
    isMaximized(): boolean {
      return false;
    }
    getNormalBounds() {
      return { x: 0, y: 0, width: 1280, height: 820 };
    }
    getBounds() {
      return this.getNormalBounds();
    }
  }
  const defaultSession = {
    webRequest: { onHeadersReceived: (h: Handler) => (fake.headersHandler = h) },
    setPermissionRequestHandler: (h: Handler) => (fake.permissionHandler = h),
    setPermissionCheckHandler: record('session.setPermissionCheckHandler'),
    setDevicePermissionHandler: record('session.setDevicePermissionHandler'),
    on: record('session.on'),
    protocol: { handle: (_scheme: string, h: Handler) => (fake.protocolHandler = h) },
  };
  return {
    app,
    BrowserWindow,
    dialog: { showErrorBox: record('dialog.showErrorBox'), showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showSaveDialog: async () => ({ canceled: true }) },
    Menu: { setApplicationMenu: (m: unknown) => fake.menus.push(m), buildFromTemplate: (t: unknown) => t },
    session: { defaultSession },
    shell: { openExternal: async (url: string) => fake.calls.push({ what: 'shell.openExternal', args: [url] }), openPath: record('shell.openPath') },
    protocol: { registerSchemesAsPrivileged: record('protocol.registerSchemesAsPrivileged') },
    ipcMain: { handle: (channel: string, h: Handler) => fake.ipcHandlers.set(channel, h) },
    utilityProcess: {
      fork: (modulePath: string, args: string[], options: unknown) => {
        fake.calls.push({ what: 'utilityProcess.fork', args: [modulePath, args, options] });
        const child = new FakeChild();
        fake.children.push(child);
        return child;
      },
    },
    MessageChannelMain: class {
      port1 = new FakePort();
      port2 = new FakePort();
      constructor() {
        this.port1.peer = this.port2;
        this.port2.peer = this.port1;
      }
    },
    screen: { getPrimaryDisplay: () => ({ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 } }), getAllDisplays: () => [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
  };
});

const called = (what: string) => fake.calls.filter((c) => c.what === what);
async function until(what: string, check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const studio = () => fake.windows[0]?.webContents as FakeWebContents;

beforeAll(async () => {
  process.env.TESSERA_USER_DATA_DIR = userData;
  vi.spyOn(console, 'log').mockImplementation(() => {});
  await import('./index.ts');
  await until('the engine port reaches the renderer', () => (studio()?.portMessages.length ?? 0) > 0);
});

afterAll(() => {
  delete process.env.TESSERA_USER_DATA_DIR;
  vi.restoreAllMocks();
});

describe('main process wiring (fake Electron)', () => {
  it('prepares before ready: privileged app:// scheme, global sandbox, single-instance lock', () => {
    const [schemes] = called('protocol.registerSchemesAsPrivileged')[0]?.args ?? [];
    expect(schemes).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    expect(called('app.enableSandbox')).toHaveLength(1);
    expect(called('app.requestSingleInstanceLock')).toHaveLength(1);
    expect(fake.appEvents.has('second-instance')).toBe(true);
  });

  it('opens one locked-down studio window on app://', () => {
    expect(fake.windows).toHaveLength(1);
    const prefs = fake.windows[0]?.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(String(prefs.preload)).toMatch(/preload[\\/]index\.cjs$/);
    expect(fake.windows[0]?.url).toBe('app://tessera/index.html');
    expect(fake.menus).toHaveLength(1);
  });

  it('forks the engine host as a utilityProcess with the model folders and hands the renderer a port', () => {
    const [modulePath, args, options] = called('utilityProcess.fork')[0]?.args as [string, string[], { serviceName: string; env: Record<string, string> }];
    expect(modulePath).toMatch(/host[\\/]utility-entry\.js$/);
    expect(args).toEqual([expect.stringMatching(/^--embedded-models-dir=.*assets[\\/]models$/), `--models-dir=${path.join(userData, 'models')}`, '--backend=auto']);
    expect(options.serviceName).toBe('Tessera Engine');
    const child = fake.children[0] as FakeChild;
    expect(child.received[0]).toMatchObject({ message: { type: 'engine.connect' } });
    expect(child.received[0]?.ports).toHaveLength(1);
    expect(studio().portMessages[0]).toMatchObject({ channel: IPC.enginePort, message: { generation: 0 } });
    expect(studio().portMessages[0]?.ports).toHaveLength(1);
  });

  it('registers a guarded handler for every invoke channel', async () => {
    expect([...fake.ipcHandlers.keys()].sort()).toEqual(Object.keys(IpcRequestSchemas).sort());
    const invoke = fake.ipcHandlers.get(IPC.listRecent) as Handler;
    const event = (url: string, isMain = true, id = studio().id) => ({ sender: { id }, senderFrame: { url, parent: isMain ? null : {} } });
    expect(await invoke(event('app://tessera/index.html'), undefined)).toEqual({ ok: true, value: [] });
    expect(await invoke(event('app://tessera/index.html', false), undefined)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await invoke(event('https://evil.example/'), undefined)).toMatchObject({ ok: false });
    expect(await invoke(event('app://tessera/index.html', true, 999), undefined)).toMatchObject({ ok: false });
    const write = fake.ipcHandlers.get(IPC.exportImage) as Handler;
    expect(await write(event('app://tessera/index.html'), { suggestedName: '../x', bytes: 'nope' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('serves app:// with the CSP, refuses traversal, and serves the About page', async () => {
    const handle = fake.protocolHandler as (r: { url: string }) => Promise<Response>;
    const about = await handle({ url: 'app://tessera/__about__' });
    expect(about.status).toBe(200);
    expect(about.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await about.text();
    expect(html).toContain('<tr><th>Backend (configured)</th><td>auto</td></tr>');
    expect(html).toContain('<tr><th>Backend (active)</th><td>no model loaded yet</td></tr>');
    expect((await handle({ url: 'app://tessera/%2e%2e%2f%2e%2e%2fetc%2fpasswd' })).status).toBe(403);
    expect((await handle({ url: 'app://tessera/missing.js' })).status).toBe(404);
  });

  it('sets the CSP on every response and denies permissions', () => {
    let headers: Record<string, string[]> = {};
    (fake.headersHandler as Handler)({ responseHeaders: { 'content-security-policy': ['default-src *'] } }, (r: { responseHeaders: Record<string, string[]> }) => (headers = r.responseHeaders));
    expect(headers['Content-Security-Policy']?.[0]).toContain("script-src 'self'");
    expect(headers['content-security-policy']).toBeUndefined();
    let granted: boolean | null = null;
    (fake.permissionHandler as Handler)({}, 'media', (ok: boolean) => (granted = ok), { requestingUrl: 'app://tessera/index.html' });
    expect(granted).toBe(false);
  });

  it('denies window.open and navigation on every webContents, sending https links to the browser', () => {
    const contents = studio();
    expect(contents.windowOpenHandler?.({ url: 'https://example.org/doc' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(called('shell.openExternal').map((c) => c.args[0])).toEqual(['https://example.org/doc']);
    let prevented = false;
    contents.emit('will-navigate', { url: 'file:///home/u/dropped.png', preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    let attached = false;
    contents.emit('will-attach-webview', { preventDefault: () => (attached = true) });
    expect(attached).toBe(true);
  });

  it('on an engine crash: tells the renderer at once, restarts, and hands over a new port with the reason', async () => {
    const first = fake.children[0] as FakeChild;
    first.emit('exit', 9);
    expect(studio().sent.at(-1)).toEqual({ channel: IPC.engineLost, args: [{ reason: 'The engine stopped unexpectedly (exit code 9).', willRestart: true }] });
    await until('the restarted engine', () => fake.children.length === 2 && studio().portMessages.length === 2);
    expect(studio().portMessages[1]?.message).toEqual({ generation: 1, restartReason: 'The engine stopped unexpectedly (exit code 9).' });
    expect((fake.children[1] as FakeChild).received[0]?.message).toEqual({ type: 'engine.connect' });
  });
});
