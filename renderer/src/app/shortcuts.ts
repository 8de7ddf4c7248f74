/** Global keyboard shortcuts (tools, brush size, undo/redo, generate, save). */
import { generate } from '../actions/action-generate.ts';
import { saveProject } from '../documents/file-actions.ts';
import type { StudioStore } from '../state/store.ts';
import { classIdForKey } from './class-keys.ts';
import { TOOL_KEYS } from './keymap.ts';
import { getAutosave, getEngine } from './services.ts';


function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  if (el.isContentEditable) return true;
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  if (el.tagName === 'INPUT') return !['range', 'checkbox', 'radio', 'button'].includes((el as HTMLInputElement).type);
  return false;
}

export function installShortcuts(store: StudioStore): () => void {
  const onKey = (e: KeyboardEvent): void => {
    const s = store.getState();
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key === 'Enter') {
      e.preventDefault();
      void generate(getEngine(), store);
      return;
    }
    if (mod && e.key.toLowerCase() === 's') {
      e.preventDefault();
      void saveProject(store, getAutosave(), { as: e.shiftKey });
      return;
    }
    if (typing(e.target)) return;
    if (mod && e.key.toLowerCase() === 'z') {
      e.preventDefault();
      if (s.inpaintActive && s.paintTarget === 'mask' && !e.shiftKey) s.undoMask();
      else if (e.shiftKey) s.redo();
      else s.undo();
      return;
    }
    if (mod && e.key.toLowerCase() === 'y') {
      e.preventDefault();
      s.redo();
      return;
    }
    if (mod || e.altKey) return;
    const classId = classIdForKey(e);
    const picked = classId === null ? undefined : s.activeModel?.classes.find((k) => k.id === classId);
    if (picked) {
      // The id the palette shows: 0–9, Shift+0–9 for 10–19.
      s.setClass(picked.id);
      e.preventDefault();
      return;
    }
    if (classId !== null && classId < 10 && s.activeModel) {
      s.notify({ tone: 'info', title: `No class ${classId} in ${s.activeModel.name}`, detail: `Its classes are 0–${Math.max(...s.activeModel.classes.map((k) => k.id))}, as the palette shows.` });
      return;
    }
    // Shift+digit beyond the model's classes falls through (Shift+3 is "#", the token grid, on many keyboards).
    if (e.key === '[' || e.key === ']') {
      s.nudgeBrushSize(e.key === ']' ? 1 : -1);
      return;
    }
    if (e.key === '#') {
      s.toggleGrid();
      return;
    }
    if (e.key === 'f' || e.key === 'F') {
      s.requestFit();
      return;
    }
    const tool = TOOL_KEYS[e.key.toLowerCase()];
    if (tool) s.setTool(tool);
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}
