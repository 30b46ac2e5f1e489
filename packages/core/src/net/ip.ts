/**
 * IPv4 and IPv6 addresses and prefixes as integers: parse, print, mask, compare. The plugins
 * read addresses from configs, results and subnet.env, and write them into reservation file
 * names, saved configs and kernel commands, next to the reference Go plugins. So the rules are
 * Go's: what net.ParseIP / net.ParseCIDR refuse is refused here, before any command runs, and
 * addresses print as net.IP.String prints them.
 */
export type Family = 4 | 6;

/** An address: its family and its value as an unsigned integer. */
export interface IP {
  family: Family;
  value: bigint;
}

/** An address with a prefix length; the host bits stay as written ("10.1.2.3/24"). It is an IP too: formatIP prints its address. */
export interface Cidr extends IP {
  prefix: number;
}

export const familyBits = (family: Family): number => (family === 4 ? 32 : 128);

// Go refuses leading zeros ("010"): other parsers read them as octal, so they are ambiguous.
const V4_PART = /^(0|[1-9]\d{0,2})$/;
const V6_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!V4_PART.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

/** The 16-bit groups of one side of "::". An IPv4 tail (::ffff:1.2.3.4) is two groups, and only at the very end. */
function v6Groups(side: string, endsAddress: boolean): number[] | undefined {
  if (side === '') return [];
  const pieces = side.split(':');
  const out: number[] = [];
  for (const [i, piece] of pieces.entries()) {
    if (V6_GROUP.test(piece)) {
      out.push(parseInt(piece, 16));
      continue;
    }
    const v4 = endsAddress && i === pieces.length - 1 ? parseV4(piece) : undefined;
    if (v4 === undefined) return undefined;
    out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
  }
  return out;
}

function parseV6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const compressed = halves.length === 2;
  const head = v6Groups(halves[0]!, !compressed);
  const tail = compressed ? v6Groups(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  // "::" stands for at least one zero group; without it there must be exactly eight.
  const missing = 8 - head.length - tail.length;
  if (compressed ? missing < 1 : missing !== 0) return undefined;
  let value = 0n;
  for (const g of [...head, ...Array<number>(missing).fill(0), ...tail]) value = (value << 16n) | BigInt(g);
  return value;
}

/** A bare address ("10.1.2.3", "fd00::5"); undefined when it is not one. */
export function parseIP(text: string): IP | undefined {
  if (typeof text !== 'string') return undefined;
  if (text.includes(':')) {
    const v6 = parseV6(text);
    return v6 === undefined ? undefined : { family: 6, value: v6 };
  }
  const v4 = parseV4(text);
  return v4 === undefined ? undefined : { family: 4, value: v4 };
}

/** `addr/prefix` ("10.1.2.3/24"); undefined when it is not one (a bare address is not). */
export function parseCidr(text: string): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix > familyBits(ip.family) ? undefined : { ...ip, prefix };
}

/** `addr/prefix`, or a bare address as the prefix of that one address (/32, /128). */
export function parseCidrOrIP(text: string): Cidr | undefined {
  if (typeof text === 'string' && !text.includes('/')) {
    const ip = parseIP(text);
    return ip && { ...ip, prefix: familyBits(ip.family) };
  }
  return parseCidr(text);
}

/** Text form as Go prints it: dotted quad, or RFC 5952 (lower case, the longest run of >= 2 zero groups as "::", the first on a tie). */
export function formatIP(ip: IP): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  const groups: number[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(Number((ip.value >> s) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

export const formatCidr = (c: Cidr): string => `${formatIP(c)}/${c.prefix}`;

const hostMask = (c: Cidr): bigint => (1n << BigInt(familyBits(c.family) - c.prefix)) - 1n;

/** The prefix with its host bits cleared: the network ("10.1.2.77/24" -> "10.1.2.0/24"). */
export const networkOf = (c: Cidr): Cidr => ({ family: c.family, value: c.value & ~hostMask(c), prefix: c.prefix });

/** The last address of a prefix (all host bits set: the IPv4 broadcast). */
export const lastOf = (c: Cidr): IP => ({ family: c.family, value: c.value | hostMask(c) });

/** The address `delta` places after `ip` (before, when negative). */
export const offset = (ip: IP, delta: bigint): IP => ({ family: ip.family, value: ip.value + delta });

/** The first host of a prefix: the address after its network address (the usual gateway). */
export const firstHost = (c: Cidr): IP => offset(networkOf(c), 1n);

export const sameIP = (a: IP, b: IP): boolean => a.family === b.family && a.value === b.value;

/** True when `ip` (an address, or the address of a prefix) lies inside the prefix `net`. */
export const contains = (net: Cidr, ip: IP): boolean => ip.family === net.family && (ip.value & ~hostMask(net)) === networkOf(net).value;
