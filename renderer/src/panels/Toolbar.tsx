/** The vertical tool strip: tools with their shortcut keys, brush size, undo/redo. */
import type { JSX } from 'react';
import { selectCanRedo, selectCanUndo } from '../state/document-slice.ts';
import { studio, useStudio } from '../state/store.ts';
import type { ToolId } from '../state/types.ts';
import type { IconName } from './icons.tsx';
import { Icon } from './icons.tsx';

export const TOOLS: Array<{ id: ToolId; label: string; key: string; icon: IconName }> = [
  { id: 'brush', label: 'Brush', key: 'B', icon: 'brush' },
  { id: 'eraser', label: 'Eraser (paints the background class)', key: 'E', icon: 'eraser' },
  { id: 'line', label: 'Line (Shift: 45° steps)', key: 'L', icon: 'line' },
  { id: 'rectangle', label: 'Rectangle', key: 'R', icon: 'rectangle' },
  { id: 'fill', label: 'Fill', key: 'G', icon: 'fill' },
  { id: 'replace', label: 'Replace class (click a region: its class becomes the current one everywhere)', key: 'X', icon: 'replace' },
  { id: 'eyedropper', label: 'Eyedropper (or Alt-click)', key: 'I', icon: 'eyedropper' },
  { id: 'pan', label: 'Pan (or hold Space)', key: 'H', icon: 'pan' },
];

export function Toolbar(): JSX.Element {
  const tool = useStudio((s) => s.tool);
  const brushSize = useStudio((s) => s.brushSize);
  const canUndo = useStudio(selectCanUndo);
  const canRedo = useStudio(selectCanRedo);
  return (
    <nav className="toolbar" aria-label="Tools">
      {TOOLS.map((t) => (
        <button key={t.id} type="button" className={`tool-button${tool === t.id ? ' active' : ''}`} data-tool={t.id} title={`${t.label} (${t.key})`} aria-pressed={tool === t.id} onClick={() => studio.getState().setTool(t.id)}>
          <Icon name={t.icon} />
          <span className="tool-key">{t.key}</span>
        </button>
      ))}
      <div className="toolbar-sep" />
      <div className="brush-size" title="Brush size ([ and ])">
        <span className="brush-dot" style={{ width: Math.max(3, Math.min(28, brushSize / 2)), height: Math.max(3, Math.min(28, brushSize / 2)) }} />
        <span className="brush-value">{brushSize}</span>
        <input
          aria-label="Brush size"
          className="brush-range"
          type="range"
          min={1}
          max={128}
          value={Math.min(128, brushSize)}
          onChange={(e) => studio.getState().setBrushSize(Number(e.target.value))}
        />
      </div>
      <div className="toolbar-sep" />
      <button type="button" className="tool-button" title="Undo (Ctrl+Z)" disabled={!canUndo} onClick={() => studio.getState().undo()}>
        <Icon name="undo" />
      </button>
      <button type="button" className="tool-button" title="Redo (Ctrl+Shift+Z)" disabled={!canRedo} onClick={() => studio.getState().redo()}>
        <Icon name="redo" />
      </button>
    </nav>
  );
}
