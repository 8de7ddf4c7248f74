/** Line icons (24×24, stroke-based) for the toolbar and buttons. */
import type { JSX } from 'react';

const paths: Record<string, JSX.Element> = {
  brush: <path d="M4 20c2.5 0 4-1.5 4-3.5S6.5 13 5 14.5 4 18 4 20Zm4.5-5.5L19 4l1 1-10.5 10.5" />,
  line: <path d="M5 19 19 5M5 19h.01M19 5h.01" />,
  rectangle: <rect x="4.5" y="6.5" width="15" height="11" rx="1" />,
  fill: <path d="M6 11 12 5l6 6-6 6-6-6Zm0 0h12M20 15s1.5 2 1.5 3a1.5 1.5 0 0 1-3 0c0-1 1.5-3 1.5-3Z" />,
  eraser: <path d="m8 19-4-4L14 5l6 6-8 8H8Zm0 0h12M9 10l6 6" />,
  eyedropper: <path d="m14 6 4 4M4 20l1-4 9-9 3 3-9 9-4 1Zm13-16 3 3-2 2-3-3 2-2Z" />,
  replace: <path d="M4 7h12l-3-3M20 17H8l3 3M16 7v0M8 17" />,
  pan: <path d="M12 3v18M3 12h18M12 3l-2.5 2.5M12 3l2.5 2.5M12 21l-2.5-2.5M12 21l2.5-2.5M3 12l2.5-2.5M3 12l2.5 2.5M21 12l-2.5-2.5M21 12l-2.5 2.5" />,
  undo: <path d="M9 14 4 9l5-5M4 9h10a6 6 0 0 1 0 12h-3" />,
  redo: <path d="m15 14 5-5-5-5M20 9H10a6 6 0 0 0 0 12h3" />,
  grid: <path d="M4 4h16v16H4zM4 9.33h16M4 14.66h16M9.33 4v16M14.66 4v16" />,
  fit: <path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5" />,
  dice: <g><rect x="4" y="4" width="16" height="16" rx="3" /><circle cx="9" cy="9" r="1" /><circle cx="15" cy="15" r="1" /><circle cx="15" cy="9" r="1" /><circle cx="9" cy="15" r="1" /></g>,
  lock: <path d="M7 11V8a5 5 0 0 1 10 0v3M5 11h14v9H5z" />,
  unlock: <path d="M7 11V8a5 5 0 0 1 9.5-2M5 11h14v9H5z" />,
  play: <path d="M7 5v14l11-7L7 5Z" />,
  stop: <rect x="6" y="6" width="12" height="12" rx="1.5" />,
  save: <path d="M5 4h11l3 3v13H5zM8 4v5h7V4M8 20v-6h8v6" />,
  open: <path d="M3 7V5h6l2 2h10v12H3zM3 10h18" />,
  file: <path d="M6 3h8l4 4v14H6zM14 3v4h4" />,
  download: <path d="M12 4v11m0 0-4-4m4 4 4-4M5 19h14" />,
  restore: <path d="M4 12a8 8 0 1 0 2.3-5.6M4 4v4h4" />,
  compare: <path d="M12 3v18M5 6h5v12H5zM14 6h5v12h-5z" />,
  trash: <path d="M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13" />,
  heat: <path d="M12 3s5 5 5 10a5 5 0 0 1-10 0c0-2 1-4 2-5 0 2 1 3 2 3 0-3 1-6 1-8Z" />,
  mask: <path d="M4 4h16v16H4zM4 14c4 0 6-6 16-6" />,
  check: <path d="m5 12 5 5 9-10" />,
  close: <path d="M6 6l12 12M18 6 6 18" />,
  chevronLeft: <path d="m15 5-7 7 7 7" />,
  chevronRight: <path d="m9 5 7 7-7 7" />,
  layers: <path d="m12 4 9 5-9 5-9-5 9-5Zm-9 9 9 5 9-5" />,
  batch: <path d="M4 8h12v12H4zM8 4h12v12" />,
  sparkle: <path d="M12 3v6M12 15v6M3 12h6M15 12h6M6 6l3 3M15 15l3 3M18 6l-3 3M9 15l-3 3" />,
  plus: <path d="M12 5v14M5 12h14" />,
};

export type IconName = keyof typeof paths;

export function Icon({ name, size = 18 }: { name: IconName; size?: number }): JSX.Element {
  return (
    <svg className="icon" width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.7} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      {paths[name]}
    </svg>
  );
}
