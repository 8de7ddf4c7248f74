/**
 * Wire encoding for transports without structured clone (the serve-mode WebSocket): JSON in
 * which typed arrays travel as base64 in a tagged object. MessagePorts carry the messages as they
 * are. The decoded value still goes through the zod schemas on the receiving side.
 */

const TAG = '$typed';
type TypedKind = 'u8' | 'u16' | 'i32' | 'f32';

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

/** Decodes base64; throws on malformed input (callers that accept user data check first). */
export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function kindOf(value: unknown): TypedKind | null {
  if (value instanceof Uint8Array) return 'u8';
  if (value instanceof Uint16Array) return 'u16';
  if (value instanceof Int32Array) return 'i32';
  if (value instanceof Float32Array) return 'f32';
  return null;
}

export function encodeWire(message: unknown): string {
  return JSON.stringify(message, (_key, value: unknown) => {
    const kind = kindOf(value);
    if (kind === null) return value;
    const view = value as Uint8Array | Uint16Array | Int32Array | Float32Array;
    return { [TAG]: kind, b64: bytesToBase64(new Uint8Array(view.buffer, view.byteOffset, view.byteLength)) };
  });
}

/** The typed array a tagged object stands for, or the object itself when it is not one. */
function untag(value: object): unknown {
  if (!(TAG in value)) return value;
  const tagged = value as { [TAG]: unknown; b64: unknown };
  if (typeof tagged.b64 !== 'string') return value;
  const bytes = base64ToBytes(tagged.b64);
  switch (tagged[TAG]) {
    case 'u8':
      return bytes;
    case 'u16':
      return bytes.length % 2 === 0 ? new Uint16Array(bytes.buffer) : value;
    case 'i32':
      return bytes.length % 4 === 0 ? new Int32Array(bytes.buffer) : value;
    case 'f32':
      return bytes.length % 4 === 0 ? new Float32Array(bytes.buffer) : value;
    default:
      return value;
  }
}

/**
 * JSON.parse, then one walk that swaps tagged objects for typed arrays. Not a JSON.parse reviver:
 * a reviver calls back into JavaScript for every value of the message, so a 20 MB array of numbers
 * held serve mode's event loop for 20 s (found by the bad-input corpus, scripts/fuzz). The walk
 * uses its own stack, so deep nesting cannot overflow it, and defines properties rather than
 * assigning them, so a `"__proto__"` key stays a plain key as it was in JSON.parse's result.
 */
export function decodeWire(text: string): unknown {
  const root: unknown = JSON.parse(text);
  if (typeof root !== 'object' || root === null) return root;
  const top = untag(root);
  if (top !== root) return top;
  const stack: object[] = [root];
  const visit = (container: object, key: string | number, value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    const decoded = untag(value);
    if (decoded === value) stack.push(value);
    else Object.defineProperty(container, key, { value: decoded, writable: true, enumerable: true, configurable: true });
  };
  while (stack.length > 0) {
    const container = stack.pop() as object;
    // Arrays by index: Object.keys would make a string per element of a 10-million-element array.
    if (Array.isArray(container)) for (let i = 0; i < container.length; i++) visit(container, i, container[i]);
    else for (const key of Object.keys(container)) visit(container, key, (container as Record<string, unknown>)[key]);
  }
  return root;
}
