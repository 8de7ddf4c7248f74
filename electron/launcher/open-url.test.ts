import { describe, expect, it } from 'vitest';
import { openerCommand } from './open-url.ts';

describe('openerCommand', () => {
  const url = 'http://127.0.0.1:4780/?token=a&b=c';
  it('uses open on macOS and start on Windows (escaping &)', () => {
    expect(openerCommand('darwin', url, undefined)).toEqual(['open', [url]]);
    expect(openerCommand('win32', url, undefined)).toEqual(['cmd', ['/c', 'start', '""', 'http://127.0.0.1:4780/?token=a^&b=c']]);
  });
  it('uses xdg-open on Linux only when it is on PATH', () => {
    expect(openerCommand('linux', url, '/usr/local/bin:/usr/bin', (f) => f === '/usr/bin/xdg-open')).toEqual(['xdg-open', [url]]);
    expect(openerCommand('linux', url, '/usr/local/bin', () => false)).toBeNull();
    expect(openerCommand('linux', url, undefined, () => true)).toBeNull();
  });
});
