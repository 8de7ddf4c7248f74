import { describe, expect, it } from 'vitest';
import { createStudioStore } from '../state/store.ts';
import { floodFill } from '../tools/flood-fill.ts';
import type { MenuCommand } from '../documents/desktop.ts';
import { runMenuCommand } from './menu-commands.ts';

/** Commands by name (the shell's list evolves; the studio ignores names it does not know). */
const cmd = (command: string): MenuCommand => ({ command }) as MenuCommand;

describe('application menu commands', () => {
  it('map onto undo/redo, zoom and the heat-map', () => {
    const store = createStudioStore();
    store.getState().applyPatchEdit(floodFill(store.getState().layout, 0, 0, 1), 'fill');
    runMenuCommand(store, cmd('edit.undo'));
    expect(store.getState().layout.data[0]).toBe(0);
    runMenuCommand(store, cmd('edit.redo'));
    expect(store.getState().layout.data[0]).toBe(1);
    const seq = store.getState().zoomRequest.seq;
    runMenuCommand(store, cmd('view.zoomIn'));
    expect(store.getState().zoomRequest).toEqual({ factor: 1.25, seq: seq + 1 });
    runMenuCommand(store, cmd('view.toggleHeatmap'));
    expect(store.getState().heatmap).toBe(true);
    runMenuCommand(store, cmd('view.toggleGrid'));
    expect(store.getState().showGrid).toBe(false);
    runMenuCommand(store, cmd('view.somethingNew'));
  });

  it('asks for a selection before exporting an image', () => {
    const store = createStudioStore();
    runMenuCommand(store, cmd('file.exportImage'));
    expect(store.getState().toasts[0]?.title).toMatch(/Nothing to export/);
  });
});
