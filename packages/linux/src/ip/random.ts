/**
 * Random bytes and SHA-512 without `node:crypto`: loading that module costs a compiled Bun
 * executable ~5 ms at every start, more than a whole `ip -batch`. The global Web Crypto gives
 * random bytes in Bun and Node alike; Bun's built-in hasher does SHA-512, and Node (tests, the
 * dist/js bundles) gets node:crypto through process.getBuiltinModule.
 */
export function randomHex(bytes: number): string {
  return toHex(globalThis.crypto.getRandomValues(new Uint8Array(bytes)));
}

export function randomBytes(bytes: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(bytes));
}

interface BunHasher {
  update(data: string): BunHasher;
  digest(encoding: 'hex'): string;
}
type BunGlobal = { CryptoHasher?: new (algorithm: string) => BunHasher } | undefined;

export function sha512Hex(text: string): string {
  const bun = (globalThis as { Bun?: BunGlobal }).Bun;
  if (bun?.CryptoHasher) return new bun.CryptoHasher('sha512').update(text).digest('hex');
  return process.getBuiltinModule('node:crypto').createHash('sha512').update(text).digest('hex');
}

const toHex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
