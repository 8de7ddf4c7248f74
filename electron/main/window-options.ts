/**
 * BrowserWindow options, built here so that the security-relevant webPreferences are one tested
 * object rather than literals scattered through the shell. Every window gets the same locked
 * preferences; only the studio window gets the preload (the About window runs no script at all).
 */
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import { MIN_WINDOW_SIZE, type WindowState } from './window-state.ts';

/** The Electron security checklist, as data. Spread last so no caller can loosen it. */
export function lockedWebPreferences(preloadPath?: string): WebPreferences {
  const prefs: WebPreferences = {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    // Middle-click would otherwise open links in new windows (denied anyway; this stops the attempt).
    disableBlinkFeatures: 'Auxclick',
    // Keep the studio's canvas and previews rendering while the window is in the background.
    backgroundThrottling: false,
  };
  if (preloadPath !== undefined) prefs.preload = preloadPath;
  return prefs;
}

export interface MainWindowInputs {
  state: WindowState;
  preloadPath: string;
  iconPath?: string;
}

export function buildMainWindowOptions({ state, preloadPath, iconPath }: MainWindowInputs): BrowserWindowConstructorOptions {
  const options: BrowserWindowConstructorOptions = {
    width: state.width,
    height: state.height,
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    title: 'Tessera',
    // Shown on 'ready-to-show', so the user never sees an empty white frame.
    show: false,
    backgroundColor: '#1b1d22',
    webPreferences: lockedWebPreferences(preloadPath),
  };
  if (state.x !== undefined && state.y !== undefined) {
    options.x = state.x;
    options.y = state.y;
  }
  if (iconPath !== undefined) options.icon = iconPath;
  return options;
}

export function buildAboutWindowOptions(parentBounds?: { x: number; y: number; width: number; height: number }): BrowserWindowConstructorOptions {
  const width = 460;
  const height = 380;
  const options: BrowserWindowConstructorOptions = {
    width,
    height,
    resizable: false,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    title: 'About Tessera',
    show: false,
    backgroundColor: '#1b1d22',
    autoHideMenuBar: true,
    webPreferences: { ...lockedWebPreferences(), javascript: false },
  };
  if (parentBounds !== undefined) {
    options.x = Math.round(parentBounds.x + (parentBounds.width - width) / 2);
    options.y = Math.round(parentBounds.y + (parentBounds.height - height) / 2);
  }
  return options;
}
