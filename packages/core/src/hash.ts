/**
 * SHA-512 in hex, the hash the reference plugins name and comment their firewall rules with
 * (bridge masquerade, portmap chains): the same input must give the same name in every plugin.
 *
 * Not through `node:crypto`: loading that module costs a compiled Bun executable ~2 ms, at start
 * or (deferred by the build's lazy built-ins) at the first hash. Bun's built-in hasher costs
 * nothing to load; under Node (unit tests, the dist/js bundles) node:crypto is loaded on first use.
 */
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
