/** The title bar: project name and file commands, view mode, engine status. */
import type { JSX } from 'react';
import { useRef, useState } from 'react';
import { IN_PAGE_ENGINE } from '../bridge/connect.ts';
import { getAutosave } from '../app/services.ts';
import { desktopApi } from '../documents/desktop.ts';
import { exportLayoutPng, importDroppedFile, openWithDesktop, requestNewProject, saveProject } from '../documents/file-actions.ts';
import { selectIsDirty } from '../state/document-slice.ts';
import { studio, useStudio } from '../state/store.ts';
import { BrowserProjectsMenu } from './BrowserProjectsMenu.tsx';
import { Icon } from './icons.tsx';

export function TopBar(): JSX.Element {
  const name = useStudio((s) => s.projectName);
  const dirty = useStudio(selectIsDirty);
  const viewMode = useStudio((s) => s.viewMode);
  const opacity = useStudio((s) => s.overlayOpacity);
  const connection = useStudio((s) => s.connection);
  const inpaint = useStudio((s) => s.inpaintActive);
  const fileRef = useRef<HTMLInputElement>(null);
  // The static build's Open menu (projects saved in this browser).
  const [browserMenu, setBrowserMenu] = useState(false);
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          <i />
          <i />
          <i />
          <i />
        </span>
        Tessera
      </div>
      <div className="project">
        <input className="project-name" aria-label="Project name" value={name} onChange={(e) => studio.getState().setProjectName(e.target.value)} />
        {dirty && <span className="dirty-dot" title="Unsaved changes (autosaved for recovery)" />}
      </div>
      <div className="file-actions">
        <button type="button" className="ghost" title="New project" data-testid="new-project" onClick={() => requestNewProject(studio, getAutosave())}>
          <Icon name="file" size={16} /> New
        </button>
        <span className="open-anchor">
          <button
            type="button"
            className="ghost"
            title="Open a project, label PNG or image"
            data-testid="open-project"
            onClick={() => (desktopApi() ? void openWithDesktop(studio, 'project') : IN_PAGE_ENGINE ? setBrowserMenu((open) => !open) : fileRef.current?.click())}
          >
            <Icon name="open" size={16} /> Open
          </button>
          {browserMenu && <BrowserProjectsMenu onClose={() => setBrowserMenu(false)} onPickFile={() => fileRef.current?.click()} />}
        </span>
        <button type="button" className="ghost" title="Save the project file (Ctrl+S)" onClick={() => void saveProject(studio, getAutosave())}>
          <Icon name="save" size={16} /> Save
        </button>
        <button type="button" className="ghost" title="Export the layout as a label PNG" onClick={() => void exportLayoutPng(studio)}>
          <Icon name="download" size={16} /> Layout PNG
        </button>
        <input
          ref={fileRef}
          type="file"
          hidden
          data-testid="file-input"
          accept=".json,.png,.jpg,.jpeg,.webp,application/json,image/*"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void importDroppedFile(studio, file);
            e.target.value = '';
          }}
        />
      </div>
      <span className="spacer" />
      <div className="view-toggle">
        {inpaint ? (
          // Inpaint mode draws the image over the layout in one pane: the result views do not apply.
          <>
            <span className="mode-chip" data-testid="inpaint-mode-chip">
              Inpaint mode
            </span>
            <button type="button" className="ghost small" data-testid="leave-inpaint" title="Leave inpaint mode (back to the result views)" onClick={() => studio.getState().exitInpaint()}>
              Leave
            </button>
          </>
        ) : (
          <div className="segmented" role="radiogroup" aria-label="Result view">
            <button type="button" role="radio" aria-checked={viewMode === 'side'} className={viewMode === 'side' ? 'active' : ''} onClick={() => studio.getState().setViewMode('side')}>
              Side by side
            </button>
            <button type="button" role="radio" aria-checked={viewMode === 'overlay'} className={viewMode === 'overlay' ? 'active' : ''} onClick={() => studio.getState().setViewMode('overlay')}>
              Overlay
            </button>
          </div>
        )}
        {(viewMode === 'overlay' || inpaint) && (
          <label className="opacity-field" data-testid="opacity-label">
            <span className="small">{inpaint ? 'Layout show-through' : 'Overlay opacity'}</span>
            <input className="opacity" type="range" min={0} max={1} step={0.01} value={opacity} onChange={(e) => studio.getState().setOverlayOpacity(Number(e.target.value))} />
          </label>
        )}
      </div>
      <span className={`conn conn-${connection}`} title={`Engine ${connection}`}>
        <span className="conn-dot" /> {connection === 'open' ? 'Engine' : connection === 'connecting' ? 'Connecting' : 'Offline'}
      </span>
    </header>
  );
}
