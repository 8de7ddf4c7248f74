/**
 * TLS for a remote engine. `--host 0.0.0.0` sends the access token over the network, so serve mode
 * speaks HTTPS there: with the user's certificate (`--tls-cert`/`--tls-key`) or with a self-signed one
 * made on first use and kept in the state folder, whose SHA-256 fingerprint is printed so the user
 * can check it against what the browser shows before trusting it. (An SSH tunnel to a loopback
 * studio is the other safe way; the README shows both.)
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import { generate } from 'selfsigned';
import { writeFileAtomic } from '../cli/support/files.ts';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** SHA-256 fingerprint as browsers show it (colon-separated hex). */
  fingerprint256: string;
  source: 'files' | 'self-signed (new)' | 'self-signed (kept)';
}

export type TlsRequest = { kind: 'files'; certFile: string; keyFile: string } | { kind: 'self-signed'; stateDir: string; hostNames: string[] };

export class TlsSetupError extends Error {}

/** Checks that cert and key parse and belong together (createSecureContext refuses a mismatch). */
function checked(cert: string, key: string, source: TlsMaterial['source'], where: string): TlsMaterial {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
    createPrivateKey(key);
    createSecureContext({ cert, key });
  } catch (error) {
    throw new TlsSetupError(`${where}: the certificate and key are not a usable pair (${error instanceof Error ? error.message : String(error)}). Give a PEM certificate and its own unencrypted PEM private key.`);
  }
  return { cert, key, fingerprint256: x509.fingerprint256, source };
}

async function readPem(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new TlsSetupError(`Cannot read the TLS ${what} ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error)}.`);
  }
}

const CERT_FILE = 'tls-cert.pem';
const KEY_FILE = 'tls-key.pem';
/** Renew a kept self-signed certificate this long before it expires. */
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;

async function selfSigned(stateDir: string, hostNames: string[]): Promise<TlsMaterial> {
  const certPath = path.join(stateDir, CERT_FILE);
  const keyPath = path.join(stateDir, KEY_FILE);
  try {
    const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    const kept = checked(cert, key, 'self-signed (kept)', certPath);
    if (Date.parse(new X509Certificate(cert).validTo) - Date.now() > RENEW_BEFORE_MS) return kept;
  } catch {
    // None yet, unreadable or expiring: make a new one below.
  }
  // Loopback names too, so an SSH tunnel or a local browser can verify it against the fingerprint alone.
  const names = [...new Set(['localhost', '127.0.0.1', '::1', os.hostname(), ...hostNames])];
  const notAfter = new Date();
  notAfter.setFullYear(notAfter.getFullYear() + 1);
  const pems = await generate([{ name: 'commonName', value: `Tessera studio on ${os.hostname()}` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((n) => (/^[\d.]+$|:/.test(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
    ],
  });
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(keyPath, pems.private, 0o600);
  await writeFileAtomic(certPath, pems.cert, 0o644);
  return checked(pems.cert, pems.private, 'self-signed (new)', certPath);
}

export async function resolveTls(request: TlsRequest): Promise<TlsMaterial> {
  if (request.kind === 'files') {
    const [cert, key] = await Promise.all([readPem(request.certFile, 'certificate'), readPem(request.keyFile, 'key')]);
    return checked(cert, key, 'files', request.certFile);
  }
  return selfSigned(request.stateDir, request.hostNames);
}
