/**
 * The About window's page, generated in main from the facts it knows (versions, the configured
 * and active backend, the models folder). It is served from memory at app://tessera/__about__
 * into a window with JavaScript disabled, so every value is HTML-escaped here and the page needs
 * no script and no inline style (the stylesheet is served beside it).
 */
export interface AboutInfo {
  appName: string;
  appVersion: string;
  versions: { electron?: string | undefined; chrome?: string | undefined; node?: string | undefined; v8?: string | undefined };
  onnxruntime?: string | undefined;
  configuredBackend: string;
  /** e.g. "cpu (model coco-stuff-64 loaded)"; undefined = no model loaded yet. */
  activeBackend?: string | undefined;
  modelsFolder: string;
  platform: string;
  arch: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export function buildAboutHtml(info: AboutInfo): string {
  const rows: [string, string][] = [
    ['Version', info.appVersion],
    ['Electron', info.versions.electron ?? '—'],
    ['Chromium', info.versions.chrome ?? '—'],
    ['Node.js', info.versions.node ?? '—'],
    ['V8', info.versions.v8 ?? '—'],
    ['ONNX Runtime', info.onnxruntime ?? '—'],
    ['Backend (configured)', info.configuredBackend],
    ['Backend (active)', info.activeBackend ?? 'no model loaded yet'],
    ['Models folder', info.modelsFolder],
    ['Platform', `${info.platform} ${info.arch}`],
  ];
  const body = rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>About ${escapeHtml(info.appName)}</title>
<link rel="stylesheet" href="__about__.css"></head>
<body><h1>${escapeHtml(info.appName)}</h1>
<p>Semantic image synthesis with a VQGAN + transformer, on your machine.</p>
<table>
${body}
</table></body></html>
`;
}

export const ABOUT_CSS = `body{font:13px system-ui,sans-serif;background:#1b1d22;color:#e6e6e6;margin:20px}
h1{font-size:20px;margin:0 0 4px}p{color:#a0a4ad;margin:0 0 16px}
table{border-collapse:collapse;width:100%}th{text-align:left;color:#a0a4ad;font-weight:normal;padding:3px 12px 3px 0;white-space:nowrap;vertical-align:top}
td{padding:3px 0;word-break:break-all}
`;
