import { isIPv4, isIPv6 } from 'node:net';

/**
 * The little address arithmetic portmap needs: family, canonical text, and the network of a
 * CIDR (rules match "any source in the pod's subnet", so the host bits must be cleared first).
 */
export type Family = 4 | 6;

export function familyOf(ip: string): Family | undefined {
  if (isIPv4(ip)) return 4;
  if (isIPv6(ip)) return 6;
  return undefined;
}

export function isUnspecified(ip: string): boolean {
  return familyOf(ip) === 4 ? ip === '0.0.0.0' : toBigInt(ip) === 0n;
}

function toBigInt(ip: string): bigint {
  if (isIPv4(ip)) return ip.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
  let text = ip;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4tail) {
    const n = toBigInt(v4tail[1]!);
    text = `${text.slice(0, -v4tail[1]!.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function fromBigInt(family: Family, n: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Shorten the longest run of zero groups (RFC 5952), as iptables-save and nft print it.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** The address in the canonical form the kernel tools print. */
export function canonicalIp(ip: string): string {
  const family = familyOf(ip);
  if (!family) throw new Error(`not an IP address: ${ip}`);
  return fromBigInt(family, toBigInt(ip));
}

/** "10.22.0.5/16" -> "10.22.0.0/16". */
export function networkOf(ip: string, prefix: number): string {
  const family = familyOf(ip);
  if (!family) throw new Error(`not an IP address: ${ip}`);
  const bits = family === 4 ? 32 : 128;
  const all = (1n << BigInt(bits)) - 1n;
  const mask = all ^ ((1n << BigInt(bits - prefix)) - 1n);
  return `${fromBigInt(family, toBigInt(ip) & mask)}/${prefix}`;
}
