/** Global keyboard shortcuts (tools, brush size, undo/redo, generate, save). */
import { generate } from '../actions/action-generate.ts';
import { saveProject } from '../documents/file-actions.ts';
import type { StudioStore } from '../state/store.ts';
import type { ToolId } from '../state/types.ts';
import { getAutosave, getEngine } from './services.ts';

const TOOL_KEYS: Record<string, ToolId> = { b: 'brush', e: 'eraser', l: 'line', r: 'rectangle', g: 'fill', x: 'replace', i: 'eyedropper', h: 'pan' };

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
    if (/^[1-9]$/.test(e.key)) {
      // 1–9 pick the palette's first nine classes, for painting without the mouse leaving the canvas.
      const c = s.activeModel?.classes[Number(e.key) - 1];
      if (c) s.setClass(c.id);
      return;
    }
    const tool = TOOL_KEYS[e.key.toLowerCase()];
    if (tool) s.setTool(tool);
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}
