/**
 * IPv4/IPv6 addresses and prefixes as BigInt, enough for gateways, subnets and containment.
 * Parsing is strict: anything the kernel would not take is refused here, before a command runs.
 */
export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  /** The address as written (host bits kept), as an integer. */
  ip: bigint;
  prefix: number;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

export function parseIp(text: string): { family: Family; ip: bigint } | undefined {
  if (text.includes(':')) {
    const ip = parseIpv6(text);
    return ip === undefined ? undefined : { family: 6, ip };
  }
  const ip = parseIpv4(text);
  return ip === undefined ? undefined : { family: 4, ip };
}

/** "10.1.2.3/24" or "fd00::5/64"; a bare address gets the full-length prefix. */
export function parseCidr(text: string): Cidr | undefined {
  const [addr, len, extra] = text.split('/');
  if (addr === undefined || extra !== undefined) return undefined;
  const parsed = parseIp(addr);
  if (!parsed) return undefined;
  const max = BITS[parsed.family];
  if (len === undefined) return { ...parsed, prefix: max };
  if (!/^\d{1,3}$/.test(len) || Number(len) > max) return undefined;
  return { ...parsed, prefix: Number(len) };
}

function mask(family: Family, prefix: number): bigint {
  const bits = BITS[family];
  return ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
}

/** The subnet a CIDR lies in: host bits cleared. */
export function networkOf(c: Cidr): Cidr {
  return { family: c.family, ip: c.ip & mask(c.family, c.prefix), prefix: c.prefix };
}

export function contains(net: Cidr, ip: { family: Family; ip: bigint }): boolean {
  return net.family === ip.family && (ip.ip & mask(net.family, net.prefix)) === networkOf(net).ip;
}

/** Two prefixes overlap when either contains the other's network address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, networkOf(b)) || contains(b, networkOf(a));
}

export function formatIp(family: Family, ip: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip >> s) & 255n)).join('.');
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: the longest run (>= 2) of zero groups becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.family, c.ip)}/${c.prefix}`;
}

/** The first address after the network address: the conventional gateway. */
export function firstHost(c: Cidr): Cidr {
  return { family: c.family, ip: networkOf(c).ip + 1n, prefix: c.prefix };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let out = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out = (out << 8n) | BigInt(p);
  }
  return out;
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tail4: bigint | undefined;
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail4 = parseIpv4(text.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const left = toGroups(halves[0]!);
  const right = halves.length === 2 ? toGroups(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let out = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    out = (out << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail4 !== undefined) out = (out & ~0xffffffffn) | tail4;
  return out;
}
