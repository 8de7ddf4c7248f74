/**
 * The static build's Open: projects saved in this browser (documents/browser-projects.ts), newest
 * first, plus "From a file…" for project files, label PNGs and images.
 */
import type { JSX } from 'react';
import { useEffect, useState } from 'react';
import { deleteBrowserProject, listBrowserProjects } from '../documents/browser-projects.ts';
import { openBrowserProject } from '../documents/file-actions.ts';
import { studio } from '../state/store.ts';
import { Icon } from './icons.tsx';

export function BrowserProjectsMenu({ onClose, onPickFile }: { onClose(): void; onPickFile(): void }): JSX.Element {
  const [projects, setProjects] = useState<Array<{ name: string; savedAt: number }> | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const reload = (): void => {
    listBrowserProjects().then(setProjects, (error: unknown) => setProblem(error instanceof Error ? error.message : String(error)));
  };
  useEffect(reload, []);
  return (
    <div className="browser-projects" role="menu" data-testid="browser-projects">
      <div className="muted small">Saved in this browser</div>
      {problem && <div className="error-text small">{problem}</div>}
      {projects?.length === 0 && <div className="muted small">None yet: Save keeps the project here.</div>}
      {projects?.map((p) => (
        <div key={p.name} className="browser-project">
          <button
            type="button"
            className="ghost"
            role="menuitem"
            data-testid="open-browser-project"
            onClick={() => {
              onClose();
              void openBrowserProject(studio, p.name);
            }}
          >
            {p.name} <span className="muted small">{new Date(p.savedAt).toLocaleString()}</span>
          </button>
          <button type="button" className="icon-button small" title={`Delete “${p.name}” from this browser`} onClick={() => void deleteBrowserProject(p.name).then(reload)}>
            <Icon name="trash" size={14} />
          </button>
        </div>
      ))}
      <button
        type="button"
        className="ghost"
        role="menuitem"
        onClick={() => {
          onClose();
          onPickFile();
        }}
      >
        <Icon name="open" size={14} /> From a file…
      </button>
    </div>
  );
}
