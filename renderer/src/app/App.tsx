/** The studio window: top bar, tools, palette, layout and result panes, side panels, gallery. */
import type { JSX } from 'react';
import { useEffect, useState } from 'react';
import { runInpaint } from '../actions/action-inpaint.ts';
import { LayoutCanvas } from '../canvas/LayoutCanvas.tsx';
import { importDroppedFile } from '../documents/file-actions.ts';
import { BatchPanel } from '../panels/BatchPanel.tsx';
import { CanvasHeader } from '../panels/CanvasHeader.tsx';
import { GalleryStrip } from '../panels/GalleryStrip.tsx';
import { GenerationPanel } from '../panels/GenerationPanel.tsx';
import { InpaintPanel, StagingStrip } from '../panels/InpaintPanel.tsx';
import { OutpaintPanel } from '../panels/OutpaintPanel.tsx';
import { Dialogs, Toasts } from '../panels/Overlays.tsx';
import { PalettePanel } from '../panels/PalettePanel.tsx';
import { Toolbar } from '../panels/Toolbar.tsx';
import { TopBar } from '../panels/TopBar.tsx';
import { ResultPane } from '../result/ResultPane.tsx';
import { selectSelectedEntry } from '../state/gallery-slice.ts';
import type { RightTab } from '../state/settings-slice.ts';
import { studio, useStudio } from '../state/store.ts';
import { getEngine } from './services.ts';
import { installShortcuts } from './shortcuts.ts';

const TABS: Array<{ id: RightTab; label: string }> = [
  { id: 'generate', label: 'Generate' },
  { id: 'batch', label: 'Batch' },
  { id: 'inpaint', label: 'Inpaint' },
  { id: 'outpaint', label: 'Outpaint' },
];

function resampleToken(index: number): void {
  const entry = selectSelectedEntry(studio.getState());
  if (!entry) return;
  void runInpaint(getEngine(), studio, { tokens: [index], image: entry.result.image, layout: entry.layout });
}

function RightPanel(): JSX.Element {
  const tab = useStudio((s) => s.rightTab);
  return (
    <aside className="panel right-panel">
      <div className="tabs" role="tablist">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} className={tab === t.id ? 'active' : ''} data-testid={`tab-${t.id}`} onClick={() => studio.getState().setRightTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      {tab === 'generate' ? <GenerationPanel /> : tab === 'batch' ? <BatchPanel /> : tab === 'outpaint' ? <OutpaintPanel /> : <InpaintPanel />}
    </aside>
  );
}

export function App(): JSX.Element {
  const viewMode = useStudio((s) => s.viewMode);
  const inpaint = useStudio((s) => s.inpaintActive);
  const [dragging, setDragging] = useState(false);
  useEffect(() => installShortcuts(studio), []);
  const sideBySide = viewMode === 'side' && !inpaint;
  return (
    <div
      className="app"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target || !e.relatedTarget) setDragging(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        const file = e.dataTransfer.files[0];
        if (file) void importDroppedFile(studio, file);
      }}
    >
      <TopBar />
      <div className="workspace">
        <Toolbar />
        <PalettePanel />
        <main className={`stage${sideBySide ? ' split' : ''}`}>
          <section className="pane">
            <CanvasHeader title={inpaint ? 'Inpaint' : 'Layout'} />
            <LayoutCanvas />
            <StagingStrip />
          </section>
          {sideBySide && (
            <section className="pane">
              <div className="pane-header">
                <span className="pane-title">Result</span>
              </div>
              <ResultPane onResampleToken={resampleToken} />
            </section>
          )}
        </main>
        <RightPanel />
      </div>
      <GalleryStrip />
      <Toasts />
      <Dialogs />
      {dragging && (
        <div className="drop-zone">
          <div>Drop a label PNG, an image to inpaint, or a project file</div>
        </div>
      )}
    </div>
  );
}
