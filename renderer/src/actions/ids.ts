/** Unique ids for jobs and gallery entries (readable in logs and batch file names). */
export function newId(prefix: string): string {
  const rand = crypto.getRandomValues(new Uint32Array(1))[0]?.toString(36) ?? '0';
  return `${prefix}-${Date.now().toString(36)}-${rand}`;
}

export function copyLayout(map: { width: number; height: number; data: Uint8Array }): { width: number; height: number; data: Uint8Array<ArrayBuffer> } {
  return { width: map.width, height: map.height, data: map.data.slice() };
}
