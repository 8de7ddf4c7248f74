import { describe, expect, it } from 'vitest';
import { buildCsp, securityHeaders, trustedOrigins } from './csp.ts';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name ?? '', sources]));
}

describe('buildCsp (production)', () => {
  const d = directives(buildCsp({ kind: 'production' }));

  it('denies by default and allows scripts only from the app origin', () => {
    expect(d.get('default-src')).toEqual(["'none'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
  });

  it('has no unsafe-inline, unsafe-eval or wasm-unsafe-eval anywhere', () => {
    const csp = buildCsp({ kind: 'production' });
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|wasm-unsafe-eval/);
  });

  it('reaches no network and embeds nothing', () => {
    expect(d.get('connect-src')).toEqual(["'self'"]);
    for (const name of ['object-src', 'frame-src', 'frame-ancestors', 'base-uri', 'form-action']) expect(d.get(name)).toEqual(["'none'"]);
  });

  it('allows blob:/data: images for previews and exports', () => {
    expect(d.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
  });
});

describe('buildCsp (development)', () => {
  const csp = buildCsp({ kind: 'development', devServerUrl: 'http://127.0.0.1:5173/' });
  const d = directives(csp);
  it('opens exactly the dev server origin and its HMR socket', () => {
    expect(d.get('script-src')).toEqual(["'self'", "'unsafe-inline'", 'http://127.0.0.1:5173']);
    expect(d.get('connect-src')).toEqual(["'self'", 'http://127.0.0.1:5173', 'ws://127.0.0.1:5173']);
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(d.get('default-src')).toEqual(["'none'"]);
  });
});

describe('securityHeaders', () => {
  it('replaces any existing CSP (any casing) instead of merging', () => {
    const h = securityHeaders({ 'content-security-policy': ["default-src *"], 'Content-Type': 'text/html' }, { kind: 'production' });
    expect(Object.keys(h).filter((k) => k.toLowerCase() === 'content-security-policy')).toEqual(['Content-Security-Policy']);
    expect(h['Content-Security-Policy']?.[0]).toContain("default-src 'none'");
    expect(h['Content-Type']).toEqual(['text/html']);
    expect(h['X-Content-Type-Options']).toEqual(['nosniff']);
  });

  it('works without existing headers', () => {
    expect(securityHeaders(undefined, { kind: 'production' })['Content-Security-Policy']).toHaveLength(1);
  });
});

describe('trustedOrigins', () => {
  it('is the app origin in production and adds the dev server in development', () => {
    expect(trustedOrigins({ kind: 'production' })).toEqual(['app://tessera']);
    expect(trustedOrigins({ kind: 'development', devServerUrl: 'http://localhost:5173/x' })).toEqual(['app://tessera', 'http://localhost:5173']);
  });
});
