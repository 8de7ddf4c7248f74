import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RecentFile } from '../../shared/desktop-ipc.ts';
import { createFileService, type Dialogs } from './file-service.ts';
import type { FileKind } from './path-policy.ts';

let dir: string;
let answers: (string | null)[];
let asked: { op: string; kind: FileKind; name?: string }[];
let recentPaths: string[];
let recentEvents: RecentFile[][];

const dialogs: Dialogs = {
  async open(kind) {
    asked.push({ op: 'open', kind });
    return answers.shift() ?? null;
  },
  async save(kind, name) {
    asked.push({ op: 'save', kind, name });
    return answers.shift() ?? null;
  },
};

function service() {
  return createFileService({
    dialogs,
    recent: { load: async () => [...recentPaths], save: async (p) => void (recentPaths = [...p]) },
    policy: { forbiddenRoots: [path.join(dir, 'app')] },
    onRecentChanged: (r) => recentEvents.push(r),
  });
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tessera-files-'));
  answers = [];
  asked = [];
  recentPaths = [];
  recentEvents = [];
});

describe('file service', () => {
  it('Save As → token → Save writes to the same file without a dialog', async () => {
    const files = service();
    answers.push(path.join(dir, 'scene'));
    const saved = await files.saveProject({ suggestedName: 'My scene', bytes: new TextEncoder().encode('v1') });
    expect(saved?.name).toBe('scene.tessera.json');
    expect(asked).toEqual([{ op: 'save', kind: 'project', name: 'My scene.tessera.json' }]);
    expect(readFileSync(path.join(dir, 'scene.tessera.json'), 'utf8')).toBe('v1');

    await files.saveProject({ token: saved?.token, suggestedName: 'ignored', bytes: new TextEncoder().encode('v2') });
    expect(asked).toHaveLength(1);
    expect(readFileSync(path.join(dir, 'scene.tessera.json'), 'utf8')).toBe('v2');
    expect(recentPaths).toEqual([path.join(dir, 'scene.tessera.json')]);
    expect(recentEvents.at(-1)?.map((r) => r.name)).toEqual(['scene.tessera.json']);
  });

  it('opens a project, returning bytes, a name and a token but never the path', async () => {
    const file = path.join(dir, 'p.tessera.json');
    writeFileSync(file, '{"v":1}');
    const files = service();
    answers.push(file);
    const opened = await files.openProject();
    expect(opened).not.toBeNull();
    expect(new TextDecoder().decode(opened?.bytes)).toBe('{"v":1}');
    expect(opened?.name).toBe('p.tessera.json');
    expect(JSON.stringify({ ...opened, bytes: null })).not.toContain(dir);
    expect(opened?.bytes.buffer.byteLength).toBe(7);
  });

  it('returns null when a dialog is cancelled', async () => {
    const files = service();
    expect(await files.openProject()).toBeNull();
    expect(await files.saveProject({ suggestedName: 'x', bytes: new Uint8Array() })).toBeNull();
    expect(await files.importLayout()).toBeNull();
    expect(await files.exportFile('image', { suggestedName: 'x', bytes: new Uint8Array() })).toBeNull();
  });

  it('refuses a picked file of the wrong kind or inside the app', async () => {
    const files = service();
    answers.push(path.join(dir, 'photo.jpg'));
    await expect(files.importLayout()).rejects.toMatchObject({ code: 'BAD_INPUT' });
    answers.push(path.join(dir, 'app', 'x.png'));
    await expect(files.exportFile('image', { suggestedName: 'x', bytes: new Uint8Array([1]) })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('exports with the extension added and imports layouts', async () => {
    const files = service();
    answers.push(path.join(dir, 'render'));
    expect(await files.exportFile('image', { suggestedName: 'render', bytes: new Uint8Array([137, 80]) })).toEqual({ name: 'render.png' });
    expect([...readFileSync(path.join(dir, 'render.png'))]).toEqual([137, 80]);
    answers.push(path.join(dir, 'render.png'));
    expect(await files.importLayout()).toMatchObject({ name: 'render.png' });
  });

  it('opens recent files by token and drops ones that vanished', async () => {
    const a = path.join(dir, 'a.tessera.json');
    const b = path.join(dir, 'b.tessera.json');
    writeFileSync(a, 'A');
    writeFileSync(b, 'B');
    recentPaths = [a, b];
    const files = service();
    const recent = await files.listRecent();
    expect(recent.map((r) => r.name)).toEqual(['a.tessera.json', 'b.tessera.json']);
    const second = recent[1];
    if (!second) throw new Error('missing');
    expect(new TextDecoder().decode((await files.openRecent(second.token)).bytes)).toBe('B');
    expect(recentPaths).toEqual([b, a]);

    rmSync(a);
    const first = recent[0];
    if (!first) throw new Error('missing');
    await expect(files.openRecent(first.token)).rejects.toMatchObject({ code: 'IO_ERROR' });
    expect(recentPaths).toEqual([b]);
    await expect(files.openRecent('forged-token-1234')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
