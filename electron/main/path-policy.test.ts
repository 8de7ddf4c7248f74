import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertUserPath, checkUserPath, dialogFilters, PathGrants, withExtension } from './path-policy.ts';

const policy = { forbiddenRoots: ['/opt/Tessera/resources', '/home/u/.config/Tessera'], pathImpl: path.posix };

describe('checkUserPath', () => {
  it('accepts absolute paths with the right ending', () => {
    expect(checkUserPath('project', '/home/u/work/scene.tessera.json', policy)).toBeNull();
    expect(checkUserPath('project', '/home/u/work/renamed.JSON', policy)).toBeNull();
    expect(checkUserPath('layout', '/home/u/l.png', policy)).toBeNull();
    expect(checkUserPath('image', '/home/u/out.PNG', policy)).toBeNull();
  });

  it.each([
    ['project', 'relative/scene.tessera.json', /absolute/],
    ['project', '/home/u/scene.png', /must end in/],
    ['project', '/home/u/.json', /must end in/],
    ['layout', '/home/u/l.jpg', /must end in/],
    ['image', '/home/u/x.png\0.txt', /NUL/],
    ['project', '', /empty/],
    ['project', '/opt/Tessera/resources/app.asar.tessera.json', /application/],
    ['project', '/opt/Tessera/resources/../resources/x.json', /application/],
    ['image', '/home/u/.config/Tessera/window-state.png', /application/],
  ] as const)('refuses %s %s', (kind, p, reason) => {
    expect(checkUserPath(kind, p, policy)).toMatch(reason);
  });

  it('refuses Windows device and long-path namespaces', () => {
    const win = { forbiddenRoots: ['C:\\Program Files\\Tessera'], pathImpl: path.win32 };
    expect(checkUserPath('image', '\\\\?\\C:\\x.png', win)).toMatch(/namespace/);
    expect(checkUserPath('image', '\\\\.\\PhysicalDrive0.png', win)).toMatch(/namespace/);
    expect(checkUserPath('image', 'C:\\Program Files\\Tessera\\x.png', win)).toMatch(/application/);
    expect(checkUserPath('image', 'c:\\program files\\tessera\\x.png', win)).toMatch(/application/);
    expect(checkUserPath('image', 'D:\\pictures\\x.png', win)).toBeNull();
  });

  it('assertUserPath throws a BAD_INPUT TesseraError', () => {
    expect(() => assertUserPath('image', '/home/u/x.gif', policy)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(assertUserPath('image', '/home/u/./x.png', policy)).toBe('/home/u/x.png');
  });
});

describe('withExtension', () => {
  it('adds the kind’s ending only when missing', () => {
    expect(withExtension('project', '/a/scene')).toBe('/a/scene.tessera.json');
    expect(withExtension('project', '/a/scene.tessera.json')).toBe('/a/scene.tessera.json');
    expect(withExtension('image', '/a/out')).toBe('/a/out.png');
    expect(withExtension('image', '/a/out.PNG')).toBe('/a/out.PNG');
  });
});

describe('dialogFilters', () => {
  it('gives Electron-shaped filters', () => {
    expect(dialogFilters('project')).toEqual([{ name: 'Tessera project', extensions: ['json'] }]);
    expect(dialogFilters('layout')).toEqual([{ name: 'Label layout (PNG)', extensions: ['png'] }]);
  });
});

describe('PathGrants', () => {
  it('gives stable tokens per path and kind, and resolves only for that kind', () => {
    let n = 0;
    const grants = new PathGrants(() => `token${++n}xxxx`);
    const a = grants.grant('/a.tessera.json', 'project');
    expect(grants.grant('/a.tessera.json', 'project')).toBe(a);
    expect(grants.resolve(a, 'project')).toBe('/a.tessera.json');
    expect(() => grants.resolve(a, 'image')).toThrow(/no longer available/);
    expect(() => grants.resolve('forged-token', 'project')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });

  it('makes unguessable tokens by default', () => {
    const grants = new PathGrants();
    const t = grants.grant('/x.png', 'image');
    expect(t).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(grants.grant('/y.png', 'image')).not.toBe(t);
  });
});
