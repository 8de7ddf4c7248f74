/** The Electron application menu's commands (sent by the shell) mapped onto studio actions. */
import { desktopApi } from '../documents/desktop.ts';
import type { MenuCommand } from '../documents/desktop.ts';
import { exportLayoutPng, exportResultPng, openWithDesktop, requestNewProject, saveProject } from '../documents/file-actions.ts';
import { selectSelectedEntry } from '../state/gallery-slice.ts';
import type { StudioStore } from '../state/store.ts';
import { getAutosave } from './services.ts';

export function runMenuCommand(store: StudioStore, command: MenuCommand): void {
  const s = store.getState();
  // Switch on the plain name: the shell's menu grows over time, and unknown commands are ignored.
  const name: string = command.command;
  switch (name) {
    case 'file.new':
      requestNewProject(store, getAutosave());
      return;
    case 'file.open':
      void openWithDesktop(store, 'project');
      return;
    case 'file.openRecent':
      if ('token' in command) void openWithDesktop(store, { recent: command.token });
      return;
    case 'file.save':
      void saveProject(store, getAutosave());
      return;
    case 'file.saveAs':
      void saveProject(store, getAutosave(), { as: true });
      return;
    case 'file.importLayout':
      void openWithDesktop(store, 'layout');
      return;
    case 'file.exportImage': {
      const entry = selectSelectedEntry(s);
      if (entry) void exportResultPng(entry, store);
      else s.notify({ tone: 'info', title: 'Nothing to export yet', detail: 'Select a result in the history first.' });
      return;
    }
    case 'file.exportLayout':
      void exportLayoutPng(store);
      return;
    case 'edit.undo':
      if (s.inpaintActive && s.paintTarget === 'mask') s.undoMask();
      else s.undo();
      return;
    case 'edit.redo':
      s.redo();
      return;
    case 'view.zoomIn':
      s.requestZoom(1.25);
      return;
    case 'view.zoomOut':
      s.requestZoom(0.8);
      return;
    case 'view.zoomReset':
      s.requestZoom(0);
      return;
    case 'view.toggleHeatmap':
      s.setHeatmap(!s.heatmap);
      return;
    case 'view.fit':
      s.requestFit();
      return;
    case 'view.toggleGrid':
      s.toggleGrid();
      return;
    default:
      return;
  }
}

export function installMenuCommands(store: StudioStore): () => void {
  const desktop = desktopApi();
  if (!desktop) return () => undefined;
  return desktop.onMenuCommand((command) => runMenuCommand(store, command));
}
