/**
 * Random bytes for link names and MACs, from the global Web Crypto (Bun and Node alike), not
 * from `node:crypto`: loading that module costs a compiled Bun executable milliseconds at start.
 */
export function randomBytes(bytes: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(bytes));
}

export function randomHex(bytes: number): string {
  return [...randomBytes(bytes)].map((x) => x.toString(16).padStart(2, '0')).join('');
}
