/** Project and export commands behind the top bar and the gallery. */
import { encodeLabelPng } from '../../../shared/labelmap.ts';
import type { LabelMap } from '../../../shared/labelmap.ts';
import type { ResultRecord } from '../../../shared/result-record.ts';
import { describeError } from '../actions/errors.ts';
import { IN_PAGE_ENGINE } from '../bridge/connect.ts';
import { copyLayout } from '../actions/ids.ts';
import { selectHasUnsavedWork } from '../state/document-slice.ts';
import type { StudioStore } from '../state/store.ts';
import type { GalleryEntry } from '../state/types.ts';
import type { Autosave } from './autosave.ts';
import { browserProjectsAvailable, readBrowserProject, saveBrowserProject } from './browser-projects.ts';
import { desktopApi, fileFromOpened, projectFileTokenNow, setProjectFileToken, unwrapDesktop } from './desktop.ts';
import { downloadBytes, safeFileName } from './download.ts';
import { importFile } from './import-file.ts';
import { encodeResultPng, resultFileName } from './png-export.ts';
import { serialiseProject } from './project-format.ts';
import { loadProjectIntoStore, snapshotProject } from './project-snapshot.ts';

function reportError(store: StudioStore, error: unknown): void {
  const { title, detail } = describeError(error);
  store.getState().notify({ tone: 'error', title, detail });
}

/** Save (or Save As with `as`): a native dialog in Electron, the browser's storage in the static build (Save As: a download), a download in serve mode. */
export async function saveProject(store: StudioStore, autosave: Autosave, options?: { as?: boolean }): Promise<void> {
  const s = store.getState();
  const text = serialiseProject(snapshotProject(store));
  const suggestedName = `${safeFileName(s.projectName)}.tessera.json`;
  const desktop = desktopApi();
  try {
    if (desktop) {
      const token = options?.as ? undefined : projectFileTokenNow();
      const saved = await unwrapDesktop(desktop.saveProject({ ...(token ? { token } : {}), suggestedName, bytes: new TextEncoder().encode(text) }));
      if (!saved) return; // dialog cancelled
      setProjectFileToken(saved.token);
      s.notify({ tone: 'success', title: `Saved ${saved.name}` });
    } else if (IN_PAGE_ENGINE && !options?.as && browserProjectsAvailable()) {
      // The static build: Save keeps the project in this browser (Open lists it); Save As downloads a file.
      await saveBrowserProject(s.projectName, text);
      s.notify({ tone: 'success', title: `Saved “${s.projectName}” in this browser`, detail: 'Open lists it; Save As (Ctrl+Shift+S) downloads a project file.' });
    } else {
      downloadBytes(text, suggestedName, 'application/json');
    }
    s.markSaved();
    // Saved to a file: the recovery copy is no longer needed.
    void autosave.clear();
  } catch (error) {
    reportError(store, error);
  }
}

export async function exportResultPng(entry: GalleryEntry, store?: StudioStore): Promise<void> {
  const bytes = encodeResultPng(entry, store?.getState().models ?? []);
  const suggestedName = resultFileName(entry, safeFileName);
  const desktop = desktopApi();
  try {
    if (desktop) await unwrapDesktop(desktop.exportImage({ suggestedName, bytes }));
    else downloadBytes(bytes, suggestedName, 'image/png');
  } catch (error) {
    if (store) reportError(store, error);
  }
}

export async function exportLayoutPng(store: StudioStore, layout: LabelMap = store.getState().layout): Promise<void> {
  const s = store.getState();
  const bytes = encodeLabelPng(layout, s.activeModel?.classes ?? []);
  const suggestedName = `${safeFileName(s.projectName)}-layout.png`;
  const desktop = desktopApi();
  try {
    if (desktop) await unwrapDesktop(desktop.exportLayout({ suggestedName, bytes }));
    else downloadBytes(bytes, suggestedName, 'image/png');
  } catch (error) {
    reportError(store, error);
  }
}

/** Electron: Open… / Open Recent / Import Layout… through the shell's dialogs. */
export async function openWithDesktop(store: StudioStore, which: 'project' | 'layout' | { recent: string }): Promise<void> {
  const desktop = desktopApi();
  if (!desktop) return;
  try {
    if (which === 'layout') {
      const file = await unwrapDesktop(desktop.importLayout());
      if (file) await importDroppedFile(store, fileFromOpened(file));
      return;
    }
    const opened = await unwrapDesktop(which === 'project' ? desktop.openProject() : desktop.openRecent(which.recent));
    if (!opened) return;
    await importDroppedFile(store, fileFromOpened(opened));
    if (/\.json$/i.test(opened.name)) setProjectFileToken(opened.token);
  } catch (error) {
    reportError(store, error);
  }
}

/**
 * New: with unsaved work (layout edits or results since the last save) it asks first; the
 * dialog's "Discard" runs {@link newProject}.
 */
export function requestNewProject(store: StudioStore, autosave: Autosave): void {
  const s = store.getState();
  if (!selectHasUnsavedWork(s)) {
    newProject(store, autosave);
    return;
  }
  const results = s.gallery.length;
  s.setDialog({ kind: 'confirmNew', summary: `“${s.projectName}”, ${s.layout.width}×${s.layout.height} layout, ${results} result${results === 1 ? '' : 's'}` });
}

/**
 * Starts an empty project. The recovery slot keeps the previous work until the new document is
 * edited or saved, so a reload still offers it (nothing is lost to a mistaken click).
 */
export function newProject(store: StudioStore, autosave: Autosave): void {
  const s = store.getState();
  if (s.inpaintActive) s.exitInpaint();
  const { width, height } = s.layout;
  s.replaceLayout({ width, height, data: new Uint8Array(width * height).fill(s.backgroundClass) }, 'new project', { undoable: false });
  s.replaceGallery([], []);
  s.setBaseImage(null);
  s.setProjectName('Untitled');
  setProjectFileToken(undefined);
  s.markSaved();
  autosave.keepUntilEdited();
}

export async function importDroppedFile(store: StudioStore, file: File): Promise<void> {
  const s = store.getState();
  const model = s.activeModel;
  try {
    const imported = await importFile(file, {
      classes: model?.classes ?? [],
      gridFactor: model?.gridFactor ?? 16,
      window: model?.window ?? { rows: 1, cols: 1 },
      canvas: { width: s.layout.width, height: s.layout.height },
    });
    if (imported.kind === 'project') {
      loadProjectIntoStore(store, imported.project);
      s.notify({ tone: 'success', title: `Opened “${imported.project.name}”` });
    } else if (imported.kind === 'layout') {
      if (s.inpaintActive) s.exitInpaint();
      s.replaceLayout(copyLayout(imported.layout), `import ${imported.name}`);
      s.notify({ tone: 'success', title: `Imported layout “${imported.name}”`, detail: `${imported.layout.width}×${imported.layout.height}` });
    } else {
      if (s.inpaintActive) s.exitInpaint();
      const { width, height } = imported.image;
      const resized = width !== s.layout.width || height !== s.layout.height;
      // The canvas follows the picture's aspect ratio (undoable), so nothing is squeezed.
      if (resized) s.resizeCanvas(width, height, s.backgroundClass, 'scale');
      const restored = restoreMadeWith(store, imported.made, width, height);
      s.setBaseImage(imported.image);
      s.setImportedText(imported.text ? { image: imported.image, text: imported.text } : null);
      s.enterInpaint();
      s.setRightTab('inpaint');
      const size = resized ? `The canvas is now ${width}×${height} to keep the picture's proportions (undo restores the old size).` : imported.scaled ? `Scaled to the canvas size ${width}×${height}.` : undefined;
      const made = restored ?? (imported.madeProblem ? `Its Tessera record was not used: ${imported.madeProblem}` : undefined);
      const detail = [made, size].filter(Boolean).join(' ') || undefined;
      s.notify({ tone: 'info', title: `Imported image “${imported.name}” for inpainting${restored ? ', with its layout and settings' : ''}`, detail });
    }
  } catch (error) {
    const { title, detail } = describeError(error);
    s.notify({ tone: 'error', title, detail });
  }
}

/**
 * A dropped Tessera result brings back what made it, as a gallery entry's Restore does: the
 * layout (undoable), the seed (locked) and the sampling settings. Only when the layout fits this
 * canvas and this model's classes; says what it did, or null when it did nothing.
 */
function restoreMadeWith(store: StudioStore, made: { record: ResultRecord; layout: LabelMap } | undefined, width: number, height: number): string | null {
  const s = store.getState();
  const model = s.activeModel;
  if (!made || !model || made.layout.width !== width || made.layout.height !== height) return null;
  if (made.layout.data.some((v) => v >= model.classes.length)) return null;
  s.replaceLayout(copyLayout(made.layout), 'restore from an imported result');
  const { decodedPreviews: _ignored, ...settings } = made.record.settings;
  s.setSettings(settings);
  s.setSeedLocked(true);
  const other = made.record.model.id !== model.id || made.record.model.version !== model.version;
  return `Layout and settings restored: seed ${made.record.settings.seed} (locked)${other ? `; it was made with ${made.record.model.id} ${made.record.model.version}, so this model draws another image from them` : ''}.`;
}

/** The static build's Open: a project saved in this browser, through the same import as a file. */
export async function openBrowserProject(store: StudioStore, name: string): Promise<void> {
  try {
    const saved = await readBrowserProject(name);
    if (!saved) {
      store.getState().notify({ tone: 'error', title: `“${name}” is no longer in this browser's storage`, detail: 'It may have been deleted in another tab, or the browser cleared its site data.' });
      return;
    }
    await importDroppedFile(store, new File([saved.text], `${safeFileName(name)}.tessera.json`, { type: 'application/json' }));
  } catch (error) {
    reportError(store, error);
  }
}
