/**
 * The class palette from the active model's manifest: swatches with names, a search box, and
 * keyboard selection (arrows move, Enter picks; typing in the search narrows). Right-click (or
 * the button) makes a class the eraser's background class.
 */
import type { JSX, KeyboardEvent } from 'react';
import { useMemo, useRef, useState } from 'react';
import { keyForClassId } from '../app/class-keys.ts';
import { selectClasses } from '../state/models-slice.ts';
import { studio, useStudio } from '../state/store.ts';

export function PalettePanel(): JSX.Element {
  const classes = useStudio(selectClasses);
  const classId = useStudio((s) => s.classId);
  const background = useStudio((s) => s.backgroundClass);
  const [query, setQuery] = useState('');
  const [cursor, setCursor] = useState(0);
  const listRef = useRef<HTMLUListElement>(null);
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return q ? classes.filter((c) => c.name.toLowerCase().includes(q) || String(c.id) === q) : classes;
  }, [classes, query]);

  const onKey = (e: KeyboardEvent): void => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = Math.max(0, Math.min(shown.length - 1, cursor + (e.key === 'ArrowDown' ? 1 : -1)));
      setCursor(next);
      const c = shown[next];
      if (c) studio.getState().setClass(c.id);
      listRef.current?.children[next]?.scrollIntoView({ block: 'nearest' });
    } else if (e.key === 'Enter') {
      const c = shown[cursor] ?? shown[0];
      if (c) studio.getState().setClass(c.id);
    } else if (e.key === 'Escape') {
      setQuery('');
    }
  };

  return (
    <section className="panel palette" aria-label="Classes">
      <header className="panel-header">
        <h2>Classes</h2>
        <span className="muted">{classes.length}</span>
      </header>
      <input
        className="search"
        type="search"
        placeholder="Search classes…"
        aria-label="Search classes"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setCursor(0);
        }}
        onKeyDown={onKey}
      />
      <ul className="swatches" ref={listRef} role="listbox" aria-label="Class palette" tabIndex={0} onKeyDown={onKey}>
        {shown.map((c) => (
          <li
            key={c.id}
            role="option"
            aria-selected={c.id === classId}
            className={`swatch-row${c.id === classId ? ' selected' : ''}`}
            data-class-id={c.id}
            onClick={() => studio.getState().setClass(c.id)}
            onContextMenu={(e) => {
              e.preventDefault();
              studio.getState().setBackgroundClass(c.id);
            }}
            title={`${c.name} (${c.id}) · ${c.color}${keyForClassId(c.id) ? ` · key ${keyForClassId(c.id)}` : ''}\nRight-click: use as eraser background`}
          >
            <span className="swatch" style={{ background: c.color }} />
            <span className="swatch-name">{c.name}</span>
            {c.id === background && <span className="badge" title="Eraser background class">bg</span>}
            <span className="swatch-id" data-key={keyForClassId(c.id) ?? ''}>
              {c.id}
            </span>
          </li>
        ))}
        {shown.length === 0 && <li className="empty">{classes.length === 0 ? 'Waiting for a model…' : 'No class matches.'}</li>}
      </ul>
      <footer className="palette-footer">
        <span className="muted">Eraser paints</span>
        <select aria-label="Eraser background class" value={background} onChange={(e) => studio.getState().setBackgroundClass(Number(e.target.value))}>
          {classes.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </footer>
    </section>
  );
}
