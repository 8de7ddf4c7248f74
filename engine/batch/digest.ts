/**
 * Checksums and text encodings for batch files, without Node or DOM globals: the engine core runs in
 * Node, Electron's utility process and the browser, and batch files must carry the same checksums in
 * all of them (the layout checksum in a PNG's tEXt is the one `tessera generate` writes with
 * node:crypto). SHA-256 comes from @noble/hashes (audited, isomorphic); base64 from shared/wire.ts.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { base64ToBytes, bytesToBase64 } from '../../shared/wire.ts';

/** UTF-8 bytes of a string. */
export const utf8 = utf8ToBytes;

/**
 * Decodes UTF-8 leniently (TextDecoder is not in the ES library the core is checked against);
 * callers parse the text and reject what is malformed.
 */
export function fromUtf8(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    const extra = b < 0x80 ? 0 : b < 0xe0 ? 1 : b < 0xf0 ? 2 : 3;
    let c = extra === 0 ? b : b & (0x3f >> extra);
    for (let k = 1; k <= extra; k++) c = (c << 6) | ((bytes[i + k] ?? 0) & 63);
    out += String.fromCodePoint(Math.min(c, 0x10ffff));
    i += extra + 1;
  }
  return out;
}

/** SHA-256 of the concatenation of `parts`, as lowercase hex. */
export function sha256Hex(...parts: ReadonlyArray<Uint8Array | string>): string {
  const hash = sha256.create();
  for (const part of parts) hash.update(typeof part === 'string' ? utf8ToBytes(part) : part);
  return bytesToHex(hash.digest());
}

export const toBase64 = bytesToBase64;

/** Decodes base64, or null when the text is not well-formed base64. */
export function fromBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  try {
    return base64ToBytes(text);
  } catch {
    return null;
  }
}
