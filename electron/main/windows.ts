/**
 * Creating the two windows: the studio (remembered geometry, locked preferences, preload) and
 * About (no preload, no JavaScript). Geometry rules live in window-state.ts, options in
 * window-options.ts; this file only connects them to BrowserWindow and screen.
 */
import { BrowserWindow, screen } from 'electron';
import { APP_ORIGIN } from './app-protocol.ts';
import { ABOUT_PATHNAME } from './protocol.ts';
import { buildAboutWindowOptions, buildMainWindowOptions } from './window-options.ts';
import { captureWindowState, clampToDisplays } from './window-state.ts';
import { createWindowStateSaver, loadWindowState } from './window-state-store.ts';

function workAreas(): { x: number; y: number; width: number; height: number }[] {
  const primary = screen.getPrimaryDisplay();
  const others = screen.getAllDisplays().filter((d) => d.id !== primary.id);
  return [primary, ...others].map((d) => d.workArea);
}

export interface StudioWindowInputs {
  stateFile: string;
  preloadPath: string;
  iconPath?: string;
  url: string;
  log: (line: string) => void;
}

export async function createStudioWindow({ stateFile, preloadPath, iconPath, url, log }: StudioWindowInputs): Promise<BrowserWindow> {
  const state = clampToDisplays(await loadWindowState(stateFile), workAreas());
  const options = buildMainWindowOptions(iconPath === undefined ? { state, preloadPath } : { state, preloadPath, iconPath });
  const window = new BrowserWindow({
    ...options,
    // Restated literally where the window is created: a refactor of window-options.ts cannot
    // silently drop them, and static auditors (electronegativity) can see them here.
    webPreferences: { ...options.webPreferences, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, disableBlinkFeatures: 'Auxclick' },
  });
  if (state.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());

  const saver = createWindowStateSaver(stateFile, 500, (error) => log(`[window] could not save window state: ${(error as Error).message}`));
  const current = () => captureWindowState(window.getNormalBounds(), window.isMaximized());
  const remember = (): void => {
    if (!window.isDestroyed() && !window.isMinimized() && !window.isFullScreen()) saver.schedule(current());
  };
  window.on('resize', remember);
  window.on('move', remember);
  window.on('maximize', remember);
  window.on('unmaximize', remember);
  // The app may quit right after this window closes, so the last state is written synchronously.
  window.on('close', () => saver.saveNowSync(current()));

  await window.loadURL(url).catch((error: unknown) => log(`[window] could not load ${url}: ${(error as Error).message}`));
  return window;
}

export function openAboutWindow(parent: BrowserWindow | null): BrowserWindow {
  const options = buildAboutWindowOptions(parent?.getBounds());
  const about = new BrowserWindow({
    ...options,
    ...(parent ? { parent } : {}),
    webPreferences: { ...options.webPreferences, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, disableBlinkFeatures: 'Auxclick' },
  });
  about.setMenu(null);
  about.once('ready-to-show', () => about.show());
  void about.loadURL(`${APP_ORIGIN}${ABOUT_PATHNAME}`);
  return about;
}
