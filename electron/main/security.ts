/**
 * Applies the navigation/permission policy (navigation-policy.ts) and the CSP (csp.ts) to
 * Electron objects: the session (headers, permissions, downloads) and every webContents ever
 * created (navigation, new windows, webviews), so a window added later cannot forget them.
 */
import { app, shell, type Session, type WebContents } from 'electron';
import { securityHeaders, type CspMode } from './csp.ts';
import { decideDownload, decideNavigation, decidePermission, decideWindowOpen, isSafeExternalUrl } from './navigation-policy.ts';

type Log = (line: string) => void;

function openExternally(url: string, log: Log): void {
  // Re-checked here, at the only call site of shell.openExternal: https only.
  if (!isSafeExternalUrl(url)) return;
  shell.openExternal(url).catch((error: unknown) => log(`[security] could not open ${url}: ${(error as Error).message}`));
}

export function hardenSession(session: Session, csp: CspMode, trustedOrigins: readonly string[], log: Log): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: securityHeaders(details.responseHeaders, csp) });
  });
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const allowed = decidePermission(permission, details.requestingUrl, trustedOrigins);
    if (!allowed) log(`[security] denied permission "${permission}" for ${details.requestingUrl}`);
    callback(allowed);
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => decidePermission(permission, requestingOrigin, trustedOrigins));
  session.setDevicePermissionHandler(() => false);
  // Page-made downloads (blob: of our origin) get Electron's native save dialog; nothing else.
  session.on('will-download', (event, item) => {
    if (decideDownload(item.getURL(), trustedOrigins)) return;
    log(`[security] blocked a download of ${item.getURL().slice(0, 200)}`);
    event.preventDefault();
  });
}

export function hardenWebContents(contents: WebContents, log: Log): void {
  const onNavigate = (event: { url: string; preventDefault(): void }): void => {
    const decision = decideNavigation(event.url);
    if (decision.allow) return;
    event.preventDefault();
    log(`[security] blocked navigation to ${event.url.slice(0, 200)}: ${decision.reason}`);
    if (decision.openExternally) openExternally(event.url, log);
  };
  contents.on('will-navigate', onNavigate);
  contents.on('will-redirect', onNavigate);
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame) {
      event.preventDefault();
      log(`[security] blocked sub-frame navigation to ${event.url.slice(0, 200)}`);
    }
  });
  contents.setWindowOpenHandler(({ url }) => {
    const decision = decideWindowOpen(url);
    if (decision.openExternally) openExternally(url, log);
    else log(`[security] blocked window.open(${url.slice(0, 200)})`);
    return { action: decision.action };
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('[security] blocked a <webview>');
  });
}

export function hardenAllWebContents(log: Log): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, log));
}
