import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import type { MenuCommand } from '../../shared/desktop-ipc.ts';
import { buildMenuTemplate, type MenuInputs } from './menu-template.ts';

function setup(overrides: Partial<MenuInputs> = {}) {
  const calls: (MenuCommand | string)[] = [];
  const template = buildMenuTemplate({
    platform: 'linux',
    appName: 'Tessera',
    isDev: false,
    recent: [],
    actions: { command: (c) => calls.push(c), about: () => calls.push('about'), openModelsFolder: () => calls.push('models'), clearRecent: () => calls.push('clear') },
    ...overrides,
  });
  return { template, calls };
}

function all(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? all(i.submenu) : [])]);
}
function byId(items: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions {
  const found = all(items).find((i) => i.id === id);
  if (!found) throw new Error(`no menu item ${id}`);
  return found;
}
function click(item: MenuItemConstructorOptions): void {
  (item.click as () => void)();
}

describe('buildMenuTemplate', () => {
  it('has File, Edit, View and Help on Linux/Windows', () => {
    expect(setup().template.map((m) => m.id)).toEqual(['file', 'edit', 'view', 'help']);
  });

  it('has every required File item with its accelerator', () => {
    const { template } = setup();
    const file = (byId(template, 'file').submenu as MenuItemConstructorOptions[]).filter((i) => i.id).map((i) => [i.label, i.accelerator]);
    expect(file).toEqual([
      ['New', 'CmdOrCtrl+N'],
      ['Open…', 'CmdOrCtrl+O'],
      ['Open Recent', undefined],
      ['Save', 'CmdOrCtrl+S'],
      ['Save As…', 'CmdOrCtrl+Shift+S'],
      ['Import Layout…', 'CmdOrCtrl+I'],
      ['Export Image…', 'CmdOrCtrl+E'],
      ['Export Layout…', 'CmdOrCtrl+Shift+E'],
    ]);
  });

  it('forwards document commands to the renderer', () => {
    const { template, calls } = setup();
    const ids = ['file.new', 'file.open', 'file.save', 'file.saveAs', 'file.importLayout', 'file.exportImage', 'file.exportLayout', 'edit.undo', 'edit.redo', 'view.zoomIn', 'view.zoomOut', 'view.zoomReset', 'view.toggleHeatmap'];
    for (const id of ids) click(byId(template, id));
    expect(calls).toEqual(ids.map((command) => ({ command })));
  });

  it('handles About and Open Models Folder in main', () => {
    const { template, calls } = setup();
    click(byId(template, 'help.about'));
    click(byId(template, 'help.openModelsFolder'));
    expect(calls).toEqual(['about', 'models']);
  });

  it('lists recent projects by name with their tokens, and can clear them', () => {
    const { template, calls } = setup({ recent: [{ token: 'tok-aaaaaaaa', name: 'a.tessera.json' }, { token: 'tok-bbbbbbbb', name: 'b.tessera.json' }] });
    const recent = byId(template, 'file.openRecent').submenu as MenuItemConstructorOptions[];
    expect(recent.map((i) => i.label ?? i.type)).toEqual(['a.tessera.json', 'b.tessera.json', 'separator', 'Clear Recent']);
    click(byId(template, 'file.openRecent.1'));
    click(byId(template, 'file.openRecent.clear'));
    expect(calls).toEqual([{ command: 'file.openRecent', token: 'tok-bbbbbbbb' }, 'clear']);
  });

  it('shows a disabled placeholder when nothing is recent', () => {
    expect(byId(setup().template, 'file.openRecent.empty').enabled).toBe(false);
  });

  it('uses the macOS app menu and Cmd+Shift+Z there', () => {
    const { template } = setup({ platform: 'darwin' });
    expect(template[0]?.label).toBe('Tessera');
    expect(byId(template, 'help.about')).toBeTruthy();
    expect(byId(template, 'edit.redo').accelerator).toBe('Cmd+Shift+Z');
    expect(all(template).some((i) => i.role === 'windowMenu')).toBe(true);
  });

  it('offers developer tools only in development', () => {
    expect(all(setup().template).some((i) => i.role === 'toggleDevTools')).toBe(false);
    expect(all(setup({ isDev: true }).template).some((i) => i.role === 'toggleDevTools')).toBe(true);
  });

  it('leaves the renderer’s own shortcuts to the renderer (shown, not registered)', () => {
    const { template } = setup();
    for (const id of ['file.save', 'file.saveAs', 'edit.undo', 'edit.redo']) expect(byId(template, id).registerAccelerator).toBe(false);
    for (const id of ['file.new', 'file.open', 'file.importLayout', 'file.exportImage', 'view.zoomIn']) expect(byId(template, id).registerAccelerator).toBeUndefined();
  });

  it('has no duplicate accelerators', () => {
    const accels = all(setup().template).map((i) => i.accelerator).filter(Boolean);
    expect(new Set(accels).size).toBe(accels.length);
  });
});
