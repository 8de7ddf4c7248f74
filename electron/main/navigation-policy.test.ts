import { describe, expect, it } from 'vitest';
import { decideDownload, decideNavigation, decidePermission, decideWindowOpen, isSafeExternalUrl, isTrustedUrl, originOf } from './navigation-policy.ts';

const trusted = ['app://tessera'];

describe('originOf / isTrustedUrl', () => {
  it('computes origins for custom schemes, where URL.origin is "null"', () => {
    expect(originOf('app://tessera/index.html')).toBe('app://tessera');
    expect(originOf('http://localhost:5173/x')).toBe('http://localhost:5173');
    expect(originOf('file:///etc/passwd')).toBeNull();
    expect(originOf('nonsense')).toBeNull();
  });
  it('trusts only listed origins', () => {
    expect(isTrustedUrl('app://tessera/a', trusted)).toBe(true);
    expect(isTrustedUrl('app://tessera.evil/a', trusted)).toBe(false);
    expect(isTrustedUrl('app://evil/a', trusted)).toBe(false);
    expect(isTrustedUrl('https://tessera/a', trusted)).toBe(false);
  });
});

describe('isSafeExternalUrl', () => {
  it.each(['https://github.com/tessera', 'https://example.org/a?b=c#d'])('allows %s', (url) => expect(isSafeExternalUrl(url)).toBe(true));
  it.each([
    'http://example.org',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://server/share',
    'ms-msdt:/id PCWDiagnostic',
    'vscode://file/x',
    'https://user:pw@example.org',
    'data:text/html,hi',
    `https://example.org/${'a'.repeat(3000)}`,
    'not a url',
  ])('refuses %s', (url) => expect(isSafeExternalUrl(url)).toBe(false));
});

describe('navigation and window.open', () => {
  it('denies every navigation, sending only https links to the browser', () => {
    expect(decideNavigation('https://example.org')).toMatchObject({ allow: false, openExternally: true });
    expect(decideNavigation('app://tessera/index.html')).toMatchObject({ allow: false, openExternally: false });
    expect(decideNavigation('file:///home/u/dropped.png')).toMatchObject({ allow: false, openExternally: false });
    expect(decideNavigation('http://example.org')).toMatchObject({ allow: false, openExternally: false });
  });
  it('never opens an Electron window', () => {
    expect(decideWindowOpen('https://example.org')).toEqual({ action: 'deny', openExternally: true });
    expect(decideWindowOpen('app://tessera/x')).toEqual({ action: 'deny', openExternally: false });
    expect(decideWindowOpen('javascript:1')).toEqual({ action: 'deny', openExternally: false });
  });
});

describe('decidePermission', () => {
  it.each(['media', 'geolocation', 'notifications', 'midi', 'midiSysex', 'openExternal', 'pointerLock', 'hid', 'serial', 'usb', 'display-capture', 'clipboard-read', 'unknown'])('denies %s', (p) => {
    expect(decidePermission(p, 'app://tessera/index.html', trusted)).toBe(false);
  });
  it('allows sanitized clipboard writes and fullscreen from the studio only', () => {
    expect(decidePermission('clipboard-sanitized-write', 'app://tessera/index.html', trusted)).toBe(true);
    expect(decidePermission('fullscreen', 'app://tessera/', trusted)).toBe(true);
    expect(decidePermission('fullscreen', 'https://evil.example/', trusted)).toBe(false);
  });
});

describe('decideDownload', () => {
  it('allows only blob: URLs of the studio origin', () => {
    expect(decideDownload('blob:app://tessera/3f2a-11', trusted)).toBe(true);
    expect(decideDownload('blob:https://evil.example/1', trusted)).toBe(false);
    expect(decideDownload('https://example.org/x.png', trusted)).toBe(false);
    expect(decideDownload('file:///etc/passwd', trusted)).toBe(false);
  });
});
