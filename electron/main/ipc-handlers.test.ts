import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IPC, IpcRequestSchemas } from '../../shared/desktop-ipc.ts';
import { createFileService } from './file-service.ts';
import { buildIpcHandlers } from './ipc-handlers.ts';
import type { SenderInfo } from './ipc-guard.ts';
import { createRecoveryStore } from './recovery-store.ts';

const studio: SenderInfo = { frameUrl: 'app://tessera/index.html', isMainFrame: true, webContentsId: 7 };

function setup() {
  const dir = mkdtempSync(path.join(tmpdir(), 'tessera-ipc-'));
  const logs: string[] = [];
  let saveAnswer: string | null = null;
  const files = createFileService({
    dialogs: { open: async () => null, save: async () => saveAnswer },
    recent: { load: async () => [], save: async () => {} },
    policy: { forbiddenRoots: [] },
  });
  const handlers = buildIpcHandlers({
    files,
    recovery: createRecoveryStore(path.join(dir, 'slot.bin')),
    policy: { trustedOrigins: ['app://tessera'], isKnownWebContents: (id) => id === 7 },
    log: (l) => logs.push(l),
  });
  return { handlers, logs, dir, setSaveAnswer: (p: string) => (saveAnswer = p) };
}

describe('IPC handler table', () => {
  it('has a handler for every invoke channel in the shared contract', () => {
    expect(Object.keys(setup().handlers).sort()).toEqual(Object.keys(IpcRequestSchemas).sort());
  });

  it('runs a valid request from the studio', async () => {
    const { handlers, dir, setSaveAnswer } = setup();
    setSaveAnswer(path.join(dir, 'out.png'));
    expect(await handlers[IPC.exportImage](studio, { suggestedName: 'render', bytes: new Uint8Array([1, 2]) })).toEqual({ ok: true, value: { name: 'out.png' } });
    expect(await handlers[IPC.openProject](studio, undefined)).toEqual({ ok: true, value: null });
    expect(await handlers[IPC.recoveryWrite](studio, { value: { a: 1 } })).toEqual({ ok: true, value: null });
    expect(await handlers[IPC.recoveryRead](studio, undefined)).toEqual({ ok: true, value: { a: 1 } });
  });

  it.each([
    [IPC.exportImage, { suggestedName: '../../etc/passwd', bytes: new Uint8Array() }, /suggestedName/],
    [IPC.exportImage, { suggestedName: 'a', bytes: [1, 2, 3] }, /bytes/],
    [IPC.exportImage, { suggestedName: 'a', bytes: new Uint8Array(), path: '/etc/passwd' }, /path/],
    [IPC.saveProject, { token: 'x', suggestedName: 'a', bytes: new Uint8Array() }, /token/],
    [IPC.openRecent, { token: '../../etc/passwd' }, /token/],
    [IPC.openProject, { path: '/etc/passwd' }, /\(payload\)/],
    [IPC.saveProject, { suggestedName: '.bashrc', bytes: new Uint8Array() }, /suggestedName/],
  ] as const)('rejects a bad %s payload with the reason logged', async (channel, payload, reason) => {
    const { handlers, logs } = setup();
    const handler = handlers[channel] as (s: SenderInfo, p: unknown) => Promise<unknown>;
    expect(await handler(studio, payload)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(new RegExp(`^\\[ipc\\] rejected ${channel.replace(/\./g, '\\.')} from app://tessera/index.html: `));
    expect(logs[0]).toMatch(reason);
  });

  it('rejects callers that are not the studio main frame', async () => {
    const { handlers, logs } = setup();
    expect(await handlers[IPC.listRecent]({ ...studio, webContentsId: 8 }, undefined)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await handlers[IPC.listRecent]({ ...studio, isMainFrame: false }, undefined)).toMatchObject({ ok: false });
    expect(await handlers[IPC.listRecent]({ ...studio, frameUrl: 'https://evil.example/' }, undefined)).toMatchObject({ ok: false });
    expect(logs).toHaveLength(3);
  });
});
