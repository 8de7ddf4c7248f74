/**
 * Serve mode's front door: the URL token (compared in constant time), the WebSocket Origin check,
 * the Host check against DNS rebinding when bound to loopback, and the response headers (strict
 * CSP, cross-origin isolation). Pure functions, so each rule is unit-tested.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time: both sides are hashed first so neither length nor content leaks through timing. */
export function tokensEqual(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

export const COOKIE_NAME = 'tessera_token';

export function tokenFromCookie(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== COOKIE_NAME) continue;
    // A malformed escape (`%E0%A4%A`) is not a token; decodeURIComponent would throw, and an
    // exception in the upgrade handler would take the whole server down.
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return null;
    }
  }
  return null;
}

const LOOPBACK_NAMES = new Set(['localhost', '[::1]', '::1']);
/** A dotted-quad literal: four decimal octets 0–255, no leading zeros (which some resolvers read as octal). */
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4_LOOPBACK = new RegExp(`^127\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/**
 * Only literal loopback addresses and `localhost` count. A *name* such as `127.evil.example` is
 * an attacker's DNS record that may resolve anywhere (DNS rebinding), so a prefix test is not enough.
 */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host.toLowerCase()) || IPV4_LOOPBACK.test(host);
}

/** The hostname of a Host header (without the port; IPv6 keeps its brackets). */
function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) {
    // `[v6]` or `[v6]:port` and nothing else: `[::1].evil.example` is not a loopback address.
    const close = hostHeader.indexOf(']');
    const rest = hostHeader.slice(close + 1);
    return close > 0 && (rest === '' || /^:\d{1,5}$/.test(rest)) ? hostHeader.slice(0, close + 1) : '';
  }
  return hostHeader.split(':')[0] ?? '';
}

/**
 * Bound to loopback, only loopback names may appear in Host: a page on evil.example that
 * rebinds its DNS to 127.0.0.1 still sends `Host: evil.example`, and is refused.
 */
export function hostAllowed(hostHeader: string | undefined, boundHost: string): boolean {
  if (!hostHeader) return false;
  if (!isLoopbackHost(boundHost)) return true;
  return isLoopbackHost(hostnameOf(hostHeader));
}

/** The WebSocket must come from the studio page itself: Origin must be this server's origin. */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (!origin || !hostHeader) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.host === hostHeader;
}

export function securityHeaders(hostHeader: string): Record<string, string> {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ws://${hostHeader} wss://${hostHeader}`,
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
  };
}
