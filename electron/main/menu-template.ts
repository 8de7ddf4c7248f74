/**
 * The application menu as data. Document commands are forwarded to the renderer (it owns the
 * document: unsaved-changes prompts, undo history); only About and Open Models Folder are main's.
 * Built from plain inputs so the structure, accelerators and routing are unit-tested.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand, RecentFile } from '../../shared/desktop-ipc.ts';

export interface MenuActions {
  command(command: MenuCommand): void;
  about(): void;
  openModelsFolder(): void;
  clearRecent(): void;
}

export interface MenuInputs {
  platform: NodeJS.Platform;
  appName: string;
  isDev: boolean;
  recent: readonly RecentFile[];
  actions: MenuActions;
}

type Simple = Exclude<MenuCommand['command'], 'file.openRecent'>;

/**
 * Shortcuts the renderer already handles itself (renderer/src/app/shortcuts.ts, also in serve
 * mode). Their menu items show the accelerator but do not register it: a registered accelerator
 * would swallow the key before the page sees it (and Ctrl+Z must reach text fields).
 */
export const RENDERER_OWNED_ACCELERATORS: ReadonlySet<Simple> = new Set<Simple>(['file.save', 'file.saveAs', 'edit.undo', 'edit.redo']);

export function buildMenuTemplate({ platform, appName, isDev, recent, actions }: MenuInputs): MenuItemConstructorOptions[] {
  const isMac = platform === 'darwin';
  const send = (command: Simple, label: string, accelerator?: string): MenuItemConstructorOptions => {
    const item: MenuItemConstructorOptions = { id: command, label, click: () => actions.command({ command }) };
    if (accelerator !== undefined) {
      item.accelerator = accelerator;
      if (RENDERER_OWNED_ACCELERATORS.has(command)) item.registerAccelerator = false;
    }
    return item;
  };
  const about: MenuItemConstructorOptions = { id: 'help.about', label: `About ${appName}`, click: () => actions.about() };

  const recentItems: MenuItemConstructorOptions[] =
    recent.length === 0
      ? [{ id: 'file.openRecent.empty', label: 'No recent projects', enabled: false }]
      : [
          ...recent.map(
            (file, index): MenuItemConstructorOptions => ({
              id: `file.openRecent.${index}`,
              label: file.name,
              click: () => actions.command({ command: 'file.openRecent', token: file.token }),
            }),
          ),
          { type: 'separator' },
          { id: 'file.openRecent.clear', label: 'Clear Recent', click: () => actions.clearRecent() },
        ];

  const file: MenuItemConstructorOptions = {
    id: 'file',
    label: '&File',
    submenu: [
      send('file.new', 'New', 'CmdOrCtrl+N'),
      send('file.open', 'Open…', 'CmdOrCtrl+O'),
      { id: 'file.openRecent', label: 'Open Recent', submenu: recentItems },
      { type: 'separator' },
      send('file.save', 'Save', 'CmdOrCtrl+S'),
      send('file.saveAs', 'Save As…', 'CmdOrCtrl+Shift+S'),
      { type: 'separator' },
      send('file.importLayout', 'Import Layout…', 'CmdOrCtrl+I'),
      send('file.exportImage', 'Export Image…', 'CmdOrCtrl+E'),
      send('file.exportLayout', 'Export Layout…', 'CmdOrCtrl+Shift+E'),
      ...(isMac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
    ],
  };

  const edit: MenuItemConstructorOptions = {
    id: 'edit',
    label: '&Edit',
    // Undo/Redo act on the label map's history (renderer); the standard roles stay for text fields.
    submenu: [
      send('edit.undo', 'Undo', 'CmdOrCtrl+Z'),
      send('edit.redo', 'Redo', isMac ? 'Cmd+Shift+Z' : 'Ctrl+Y'),
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };

  const view: MenuItemConstructorOptions = {
    id: 'view',
    label: '&View',
    submenu: [
      // The canvas viewport's zoom (not Chromium's page zoom, whose default keys these replace).
      send('view.zoomIn', 'Zoom In', 'CmdOrCtrl+='),
      send('view.zoomOut', 'Zoom Out', 'CmdOrCtrl+-'),
      send('view.zoomReset', 'Actual Size', 'CmdOrCtrl+0'),
      send('view.toggleHeatmap', 'Uncertainty Heat-map', 'CmdOrCtrl+U'),
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(isDev ? [{ type: 'separator' } as const, { role: 'toggleDevTools' } as const] : []),
    ],
  };

  const help: MenuItemConstructorOptions = {
    id: 'help',
    label: '&Help',
    role: 'help',
    submenu: [{ id: 'help.openModelsFolder', label: 'Open Models Folder', click: () => actions.openModelsFolder() }, ...(isMac ? [] : [{ type: 'separator' } as const, about])],
  };

  const macApp: MenuItemConstructorOptions = {
    id: 'app',
    label: appName,
    submenu: [about, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
  };

  return [...(isMac ? [macApp] : []), file, edit, view, ...(isMac ? [{ role: 'windowMenu' } as const] : []), help];
}
