import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TesseraError } from '../../shared/errors.ts';
import { checkSender, guardedHandler, validateIpc, type GuardPolicy, type SenderInfo } from './ipc-guard.ts';

const policy: GuardPolicy = { trustedOrigins: ['app://tessera'], isKnownWebContents: (id) => id === 1 };
const good: SenderInfo = { frameUrl: 'app://tessera/index.html', isMainFrame: true, webContentsId: 1 };
const schema = z.strictObject({ name: z.string().min(1) });

function collect(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

describe('checkSender', () => {
  it('accepts the studio main frame', () => expect(checkSender(good, policy)).toBeNull());
  it('rejects another webContents', () => expect(checkSender({ ...good, webContentsId: 2 }, policy)).toMatch(/not a studio window/));
  it('rejects a sub-frame', () => expect(checkSender({ ...good, isMainFrame: false }, policy)).toMatch(/sub-frame/));
  it('rejects a destroyed frame', () => expect(checkSender({ ...good, frameUrl: null }, policy)).toMatch(/gone/));
  it('rejects a foreign origin', () => {
    expect(checkSender({ ...good, frameUrl: 'https://evil.example/' }, policy)).toMatch(/untrusted origin/);
    expect(checkSender({ ...good, frameUrl: 'file:///tmp/x.html' }, policy)).toMatch(/untrusted origin/);
    expect(checkSender({ ...good, frameUrl: 'app://tessera.evil/' }, policy)).toMatch(/untrusted origin/);
  });
});

describe('validateIpc', () => {
  it('passes a good payload through, parsed', () => {
    const { lines, log } = collect();
    expect(validateIpc('tessera:x', good, { name: 'a' }, schema, policy, log)).toEqual({ ok: true, value: { name: 'a' } });
    expect(lines).toEqual([]);
  });

  it.each([
    [undefined, /\(payload\)/],
    [{ name: '' }, /name: /],
    [{ name: 5 }, /name: /],
    [{ name: 'a', extra: true }, /extra/],
    ['string', /\(payload\)/],
  ])('rejects bad payload %j with the reason logged', (payload, reason) => {
    const { lines, log } = collect();
    const result = validateIpc('tessera:x', good, payload, schema, policy, log);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.result).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[ipc\] rejected tessera:x from app:\/\/tessera\/index.html: /);
    expect(lines[0]).toMatch(reason);
  });

  it('checks the sender before looking at the payload', () => {
    const { lines, log } = collect();
    const result = validateIpc('tessera:x', { ...good, frameUrl: 'https://evil.example/' }, { name: 'fine' }, schema, policy, log);
    expect(result.ok).toBe(false);
    expect(lines[0]).toMatch(/rejected tessera:x: untrusted origin https:\/\/evil.example/);
  });
});

describe('guardedHandler', () => {
  it('wraps values and thrown errors as results, never rejecting', async () => {
    const { lines, log } = collect();
    const ok = guardedHandler('tessera:ok', schema, policy, log, (p) => p.name.toUpperCase());
    expect(await ok(good, { name: 'a' })).toEqual({ ok: true, value: 'A' });

    const typed = guardedHandler('tessera:typed', schema, policy, log, () => {
      throw new TesseraError('IO_ERROR', 'disk full');
    });
    expect(await typed(good, { name: 'a' })).toEqual({ ok: false, error: { code: 'IO_ERROR', message: 'disk full' } });

    const untyped = guardedHandler('tessera:untyped', schema, policy, log, async () => {
      throw new Error('boom');
    });
    expect(await untyped(good, { name: 'a' })).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(lines.some((l) => l.includes('tessera:untyped failed'))).toBe(true);
  });

  it('does not run the handler for a rejected message', async () => {
    let ran = false;
    const h = guardedHandler('tessera:x', schema, policy, () => {}, () => {
      ran = true;
    });
    await h({ ...good, isMainFrame: false }, { name: 'a' });
    await h(good, { name: 42 });
    expect(ran).toBe(false);
  });
});
