import { describe, expect, it } from 'vitest';
import { buildAboutWindowOptions, buildMainWindowOptions, lockedWebPreferences } from './window-options.ts';

describe('lockedWebPreferences', () => {
  it('applies the whole Electron security checklist', () => {
    const prefs = lockedWebPreferences('/app/out/preload/index.cjs');
    expect(prefs).toMatchObject({
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
      preload: '/app/out/preload/index.cjs',
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs).not.toHaveProperty('additionalArguments');
  });
});

describe('buildMainWindowOptions', () => {
  it('uses the remembered size and position, hidden until ready', () => {
    const o = buildMainWindowOptions({ state: { x: 10, y: 20, width: 1400, height: 900, maximized: true }, preloadPath: '/p.cjs' });
    expect(o).toMatchObject({ x: 10, y: 20, width: 1400, height: 900, show: false, minWidth: 800, minHeight: 560 });
    expect(o.webPreferences?.sandbox).toBe(true);
    expect(o.webPreferences?.contextIsolation).toBe(true);
  });

  it('lets the OS place the window when no position is remembered', () => {
    const o = buildMainWindowOptions({ state: { width: 1280, height: 820, maximized: false }, preloadPath: '/p.cjs', iconPath: '/i.png' });
    expect(o).not.toHaveProperty('x');
    expect(o).not.toHaveProperty('y');
    expect(o.icon).toBe('/i.png');
  });
});

describe('buildAboutWindowOptions', () => {
  it('has no preload and no JavaScript, and is centred on its parent', () => {
    const o = buildAboutWindowOptions({ x: 100, y: 100, width: 1000, height: 800 });
    expect(o.webPreferences?.preload).toBeUndefined();
    expect(o.webPreferences?.javascript).toBe(false);
    expect(o.webPreferences?.sandbox).toBe(true);
    expect(o.x).toBe(100 + (1000 - 460) / 2);
    expect(o.resizable).toBe(false);
  });
});
