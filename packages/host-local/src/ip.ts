/**
 * Small IP address math on bigints: parse, format (in the same text form as Go's net.IP.String,
 * because reservation file names must match the reference plugin's), masks and containment.
 */
export type Family = 4 | 6;

export interface IP {
  family: Family;
  value: bigint;
}

export interface Cidr {
  ip: IP;
  prefix: number;
}

export const familyBits = (family: Family): number => (family === 4 ? 32 : 128);

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseV4(text: string): bigint | undefined {
  const m = V4.exec(text);
  if (!m) return undefined;
  let value = 0n;
  for (const part of m.slice(1)) {
    // Go refuses leading zeros ("010"): they read as octal elsewhere and are ambiguous.
    if (part.length > 1 && part.startsWith('0')) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseV6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseV4(piece);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let value = 0n;
  for (const g of [...head, ...new Array<number>(missing).fill(0), ...tail]) value = (value << 16n) | BigInt(g);
  return value;
}

/** Parse a bare address; undefined when it is not one. */
export function parseIP(text: string): IP | undefined {
  if (typeof text !== 'string') return undefined;
  const v4 = parseV4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = text.includes(':') ? parseV6(text) : undefined;
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

/** Parse `addr/prefix`; undefined when it is not one. The address keeps its host bits. */
export function parseCidr(text: string): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix > familyBits(ip.family) ? undefined : { ip, prefix };
}

/** Text form as Go prints it: dotted quad, or RFC 5952 (longest run of >= 2 zero groups as `::`). */
export function formatIP(ip: IP): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(Number((ip.value >> s) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestLen < 2) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

export const formatCidr = (c: Cidr): string => `${formatIP(c.ip)}/${c.prefix}`;

const hostMask = (family: Family, prefix: number): bigint => (1n << BigInt(familyBits(family) - prefix)) - 1n;

/** The network address of a prefix (host bits cleared). */
export const networkOf = (c: Cidr): IP => ({ family: c.ip.family, value: c.ip.value & ~hostMask(c.ip.family, c.prefix) });

/** The last address of a prefix (all host bits set: the IPv4 broadcast). */
export const lastOf = (c: Cidr): IP => ({ family: c.ip.family, value: networkOf(c).value | hostMask(c.ip.family, c.prefix) });

export const sameIP = (a: IP, b: IP): boolean => a.family === b.family && a.value === b.value;

export const offset = (ip: IP, delta: bigint): IP => ({ family: ip.family, value: ip.value + delta });

/** True when `ip` lies inside the prefix `c`. */
export const cidrContains = (c: Cidr, ip: IP): boolean =>
  ip.family === c.ip.family && (ip.value & ~hostMask(c.ip.family, c.prefix)) === networkOf(c).value;
