/**
 * Tessera's main process: the thin shell that connects Electron to the plain, tested modules
 * beside it. Order matters and is commented where it does. Built by build/bundle.mjs to
 * out/main/index.js (ESM), next to out/preload/index.cjs, out/host/utility-entry.js and
 * out/renderer/ (the renderer build).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, Menu, session, shell } from 'electron';
import { IPC, type EngineLostNotice, type MenuCommand, type RecentFile } from '../../shared/desktop-ipc.ts';
import { buildAboutHtml } from './about.ts';
import { trustedOrigins } from './csp.ts';
import { electronDialogs } from './dialogs.ts';
import { buildEngineLaunch, parseBackend } from './engine-launch.ts';
import { connectRenderer, queryEngine, spawnEngine, type EngineProcess } from './engine-process.ts';
import { EngineSupervisor } from '../../shared/engine-supervisor.ts';
import { createFileService } from './file-service.ts';
import { registerIpcHandlers } from './ipc.ts';
import { buildIpcHandlers } from './ipc-handlers.ts';
import { buildMenuTemplate } from './menu-template.ts';
import { resolveModelDirs } from './model-dirs.ts';
import { handleAppProtocol, registerAppSchemeAsPrivileged } from './protocol.ts';
import { loadRecent, saveRecent } from './recent-files.ts';
import { createRecoveryStore } from './recovery-store.ts';
import { resolveRendererSource } from './renderer-source.ts';
import { hardenAllWebContents, hardenSession } from './security.ts';
import { createStudioWindow, openAboutWindow } from './windows.ts';

const OUT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PATHS = {
  preload: path.join(OUT_DIR, 'preload', 'index.cjs'),
  rendererRoot: path.join(OUT_DIR, 'renderer'),
  engineEntry: path.join(OUT_DIR, 'host', 'utility-entry.js'),
  icon: path.join(OUT_DIR, 'icon.png'),
};
const log = (line: string): void => console.log(line);

// Both must happen before `ready`: privileged schemes are fixed at startup, and the user-data
// folder (tests point it at a temp dir) decides which single-instance lock we take.
registerAppSchemeAsPrivileged();
if (process.env.TESSERA_USER_DATA_DIR) app.setPath('userData', path.resolve(process.env.TESSERA_USER_DATA_DIR));
// Every renderer sandboxed, including any created without our window options.
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  start().catch((error: unknown) => {
    dialog.showErrorBox('Tessera could not start', error instanceof Error ? (error.stack ?? error.message) : String(error));
    app.exit(1);
  });
}

async function start(): Promise<void> {
  let studio: BrowserWindow | null = null;
  let studioLoaded = false;
  // Mutable engine state in one object: written by supervisor callbacks, read everywhere else.
  const live: { engine: EngineProcess | null; generation: number } = { engine: null, generation: 0 };

  hardenAllWebContents(log);
  app.on('second-instance', () => {
    if (!studio) return;
    if (studio.isMinimized()) studio.restore();
    studio.focus();
  });
  app.on('window-all-closed', () => app.quit());

  await app.whenReady();

  const source = resolveRendererSource(app.isPackaged, process.env.TESSERA_DEV_SERVER_URL, log);
  const trusted = trustedOrigins(source.csp);
  const userData = app.getPath('userData');
  const modelDirs = resolveModelDirs({ isPackaged: app.isPackaged, resourcesPath: process.resourcesPath, appPath: app.getAppPath(), userDataPath: userData });
  await fs.mkdir(modelDirs.user, { recursive: true });
  const backend = parseBackend(process.env.TESSERA_BACKEND);

  // --- engine: a supervised utilityProcess; the renderer gets a port straight to it -------------
  const supervisor = new EngineSupervisor(
    () => spawnEngine(buildEngineLaunch({ entryPath: PATHS.engineEntry, embeddedModelsDir: modelDirs.embedded, modelDirs: [modelDirs.user], backend, env: process.env })),
    {
      started(handle, generation, restartReason) {
        live.engine = handle as EngineProcess;
        live.generation = generation;
        log(`[engine] started (pid ${handle.pid ?? '?'}, generation ${generation})${restartReason ? ` after: ${restartReason}` : ''}`);
        if (studio && studioLoaded) connectRenderer(live.engine.child, studio.webContents, restartReason === undefined ? { generation } : { generation, restartReason });
      },
      lost(reason, willRestart) {
        live.engine = null;
        log(`[engine] lost: ${reason}${willRestart ? ' (restarting)' : ''}`);
        const notice: EngineLostNotice = { reason, willRestart };
        studio?.webContents.send(IPC.engineLost, notice);
        if (!willRestart) dialog.showErrorBox('The Tessera engine keeps crashing', reason);
      },
    },
  );

  // --- security: headers, permissions, protocol --------------------------------------------------
  hardenSession(session.defaultSession, source.csp, trusted, log);
  handleAppProtocol(session.defaultSession, PATHS.rendererRoot, source.csp, () => aboutHtml(), log);

  // --- files and IPC --------------------------------------------------------------------------------
  const recentFile = path.join(userData, 'recent-files.json');
  const forbiddenRoots = app.isPackaged
    ? [process.resourcesPath, path.dirname(app.getPath('exe')), userData]
    : [path.join(app.getAppPath(), 'out'), path.join(app.getAppPath(), 'node_modules'), userData];
  const files = createFileService({
    dialogs: electronDialogs(() => studio),
    recent: { load: () => loadRecent(recentFile), save: (paths) => saveRecent(recentFile, paths) },
    policy: { forbiddenRoots },
    onRecentChanged: (recent) => setMenu(recent),
  });
  registerIpcHandlers(
    buildIpcHandlers({
      files,
      recovery: createRecoveryStore(path.join(userData, 'recovery', 'document.bin')),
      policy: { trustedOrigins: trusted, isKnownWebContents: (id) => studio !== null && !studio.isDestroyed() && studio.webContents.id === id },
      log,
    }),
  );

  // --- menu and About -------------------------------------------------------------------------------
  function setMenu(recent: readonly RecentFile[]): void {
    const template = buildMenuTemplate({
      platform: process.platform,
      appName: app.getName(),
      isDev: source.kind === 'dev',
      recent,
      actions: {
        command: (command: MenuCommand) => studio?.webContents.send(IPC.menuCommand, command),
        about: () => openAboutWindow(studio),
        openModelsFolder: () => void shell.openPath(modelDirs.user),
        clearRecent: () => void saveRecent(recentFile, []).then(() => setMenu([])),
      },
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  }
  setMenu(await files.listRecent());

  async function aboutHtml(): Promise<string> {
    let activeBackend: string | undefined;
    if (live.engine) {
      try {
        const models = await queryEngine(live.engine.child, { type: 'models.list', id: `about-${Date.now()}` });
        const loaded = models.find((m) => m.backend !== undefined);
        if (loaded) activeBackend = `${loaded.backend} (${loaded.name})`;
      } catch (error) {
        activeBackend = `unknown (${(error as Error).message})`;
      }
    } else {
      activeBackend = 'engine not running';
    }
    const ortVersion = await fs
      .readFile(path.join(app.getAppPath(), 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')
      .then((text) => (JSON.parse(text) as { version?: string }).version)
      .catch(() => undefined);
    return buildAboutHtml({
      appName: app.getName(),
      appVersion: app.getVersion(),
      versions: process.versions,
      onnxruntime: ortVersion,
      configuredBackend: backend,
      activeBackend,
      modelsFolder: modelDirs.user,
      platform: process.platform,
      arch: process.arch,
    });
  }

  // --- the studio window ------------------------------------------------------------------------
  supervisor.start();
  const iconPath = await fs.access(PATHS.icon).then(
    () => PATHS.icon,
    () => undefined,
  );
  // The Electron e2e reads the studio through the renderer's read-only test hook (?e2e=1).
  const url = new URL(source.url);
  if (process.env.TESSERA_E2E === '1') url.searchParams.set('e2e', '1');
  studio = await createStudioWindow({ stateFile: path.join(userData, 'window-state.json'), preloadPath: PATHS.preload, url: url.href, log, ...(iconPath ? { iconPath } : {}) });
  const contents = studio.webContents;
  // A (re)loaded page has a fresh preload with no port: give it one to the running engine.
  contents.on('did-start-loading', () => {
    studioLoaded = false;
  });
  contents.on('did-finish-load', () => {
    studioLoaded = true;
    if (live.engine) connectRenderer(live.engine.child, contents, { generation: live.generation });
  });
  if (!contents.isLoading()) {
    studioLoaded = true;
    if (live.engine) connectRenderer(live.engine.child, contents, { generation: live.generation });
  }
  studio.on('closed', () => {
    studio = null;
  });

  app.on('before-quit', () => supervisor.stop());

  // Test hook for the Electron e2e (kill the engine, watch recovery); absent in normal runs.
  if (process.env.TESSERA_E2E === '1') {
    (globalThis as { __tesseraE2E?: unknown }).__tesseraE2E = { enginePid: () => supervisor.pid, engineState: () => supervisor.state };
  }
}
