/**
 * What a page may do outside itself: navigate, open windows, ask for permissions, open links.
 * The studio is a single page, so every answer is "no" except an https link, which goes to the
 * system browser (never into an Electron window, where it would share our session). Plain
 * functions; electron/main/security.ts attaches them to every webContents.
 */

/**
 * `new URL(x).origin` is "null" for non-special schemes such as app:, so origins are compared as
 * scheme://host[:port] computed here. Returns null for anything unparsable.
 */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (!parsed.host) return null;
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

export function isTrustedUrl(url: string, trusted: readonly string[]): boolean {
  const origin = originOf(url);
  return origin !== null && trusted.includes(origin);
}

/**
 * A link the user may open in the system browser: https only (no http, file, javascript, custom
 * protocol handlers that launch programs), no credentials in the URL, a real host, bounded length.
 */
export function isSafeExternalUrl(url: string): boolean {
  if (url.length > 2048) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' && parsed.hostname.length > 0 && parsed.username === '' && parsed.password === '';
}

export type NavigationDecision = { allow: true } | { allow: false; openExternally: boolean; reason: string };

/**
 * In-page navigation (`will-navigate`, `will-redirect`, `will-frame-navigate`): denied, even within
 * our origin — a reload of the SPA would drop the unsaved document, and a dropped file would
 * replace the studio with a file:// page. Safe external links are handed to the browser.
 */
export function decideNavigation(url: string): NavigationDecision {
  if (isSafeExternalUrl(url)) return { allow: false, openExternally: true, reason: 'external https link: opened in the system browser' };
  return { allow: false, openExternally: false, reason: 'navigation away from the studio is not allowed' };
}

/** `setWindowOpenHandler`: never a new Electron window. */
export function decideWindowOpen(url: string): { action: 'deny'; openExternally: boolean } {
  return { action: 'deny', openExternally: isSafeExternalUrl(url) };
}

/**
 * Permissions the studio needs: none of camera, microphone, geolocation, notifications, MIDI,
 * HID, serial... Clipboard writes of copied images are sanitized by Chromium and harmless, and
 * fullscreen is the View menu's. Everything else, and any request from a foreign origin, is denied.
 */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write', 'fullscreen']);

export function decidePermission(permission: string, requestingUrl: string, trusted: readonly string[]): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isTrustedUrl(requestingUrl, trusted);
}

/**
 * Downloads: the renderer's "save as download" fallback creates blob: URLs of its own origin;
 * Electron then shows the native save dialog, so the user (not the page) picks the path. Anything
 * else — a remote URL, a file: URL, another origin's blob — is refused.
 */
export function decideDownload(url: string, trusted: readonly string[]): boolean {
  if (url.startsWith('blob:')) return isTrustedUrl(url.slice('blob:'.length), trusted);
  return false;
}
