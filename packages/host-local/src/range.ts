import { getInsensitive, invalidConfig } from '@cni-ts/core';
import { contains, familyBits, formatCidr, firstHost, formatIP, lastOf, networkOf, offset, parseCidr, parseIP, sameIP, type Cidr, type Family, type IP } from '@cni-ts/core/net/ip';

/** One range of a range set, normalised: every bound filled in and checked. */
export interface Range {
  subnet: Cidr; // network address, no host bits
  start: IP; // first address handed out (inclusive)
  end: IP; // last address handed out (inclusive)
  gateway: IP; // never handed out
}

/** A range set: one address is allocated from each set; all ranges share one family. */
export type RangeSet = Range[];

const describeJson = (v: unknown): string => JSON.stringify(v) ?? String(v);

function ipField(raw: Record<string, unknown>, key: string, field: string, subnet: Cidr): IP | undefined {
  const value = getInsensitive(raw, key);
  if (value === undefined || value === null || value === '') return undefined;
  const ip = typeof value === 'string' ? parseIP(value) : undefined;
  if (!ip) throw invalidConfig(`${field}.${key}: ${describeJson(value)} is not an IP address`);
  if (!contains(subnet, ip)) {
    throw invalidConfig(`${field}.${key}: ${formatIP(ip)} is not in subnet ${formatCidr(subnet)}`);
  }
  return ip;
}

/**
 * Read one range object (`{subnet, rangeStart?, rangeEnd?, gateway?}`), as the reference does:
 * gateway defaults to subnet+1, rangeStart to subnet+1 (the gateway is skipped when allocating),
 * rangeEnd to the broadcast-1 (IPv4) or the last address (IPv6). `field` names it in errors.
 */
export function parseRange(raw: unknown, field: string): Range {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidConfig(`${field}: must be an object with a "subnet"`);
  const obj = raw as Record<string, unknown>;
  const subnetText = getInsensitive(obj, 'subnet');
  if (subnetText === undefined || subnetText === '') throw invalidConfig(`${field}.subnet: missing`);
  const cidr = typeof subnetText === 'string' ? parseCidr(subnetText) : undefined;
  if (!cidr) throw invalidConfig(`${field}.subnet: ${describeJson(subnetText)} is not a CIDR (e.g. 10.22.0.0/16)`);
  const subnet = networkOf(cidr);
  if (!sameIP(subnet, cidr)) {
    throw invalidConfig(`${field}.subnet: ${subnetText} has host bits set (the network address is ${formatCidr(subnet)})`);
  }
  const bits = familyBits(cidr.family);
  if (cidr.prefix === 0) throw invalidConfig(`${field}.subnet: ${subnetText} is every address of its family, not a pod network`);
  if (cidr.prefix > bits - 2) throw invalidConfig(`${field}.subnet: ${subnetText} is too small to allocate from (at most /${bits - 2})`);

  const last = lastOf(subnet);
  const gateway = ipField(obj, 'gateway', field, subnet) ?? firstHost(subnet);
  const start = ipField(obj, 'rangeStart', field, subnet) ?? firstHost(subnet);
  const end = ipField(obj, 'rangeEnd', field, subnet) ?? (subnet.family === 4 ? offset(last, -1n) : last);
  if (start.value > end.value) {
    throw invalidConfig(`${field}: rangeStart ${formatIP(start)} is after rangeEnd ${formatIP(end)}`);
  }
  return { subnet, start, end, gateway };
}

const overlaps = (a: Range, b: Range): boolean =>
  a.start.family === b.start.family && a.start.value <= b.end.value && b.start.value <= a.end.value;

/** Read a range set (a non-empty list of ranges of one family, none overlapping). */
export function parseRangeSet(raw: unknown, field: string): RangeSet {
  if (!Array.isArray(raw) || raw.length === 0) throw invalidConfig(`${field}: must be a non-empty list of ranges`);
  const set = raw.map((r, i) => parseRange(r, `${field}[${i}]`));
  const family = setFamily(set);
  set.forEach((r, i) => {
    if (r.subnet.family !== family) throw invalidConfig(`${field}[${i}].subnet: mixed address families in one range set`);
    for (let j = 0; j < i; j++) {
      if (overlaps(set[j]!, r)) throw invalidConfig(`${field}[${i}]: overlaps ${field}[${j}] (${describeRange(r)} and ${describeRange(set[j]!)})`);
    }
  });
  return set;
}

const setFamily = (set: RangeSet): Family => set[0]!.subnet.family;

/**
 * The first two range sets that share an address, as [later, earlier] indexes: one sort and one
 * sweep over every range (the cost grows with the number of ranges, not with its square).
 */
export function overlappingSets(sets: readonly RangeSet[]): [number, number] | undefined {
  const all = sets.flatMap((set, index) => set.map((range) => ({ range, index })));
  all.sort((a, b) => a.range.start.family - b.range.start.family || (a.range.start.value < b.range.start.value ? -1 : a.range.start.value > b.range.start.value ? 1 : 0));
  // The range reaching furthest so far, per family: a range starting before its end overlaps it
  // (ranges of one set never overlap one another: parseRangeSet refused that).
  let reach: { range: Range; index: number } | undefined;
  for (const r of all) {
    if (reach && reach.index !== r.index && overlaps(reach.range, r.range)) return [Math.max(r.index, reach.index), Math.min(r.index, reach.index)];
    if (!reach || reach.range.start.family !== r.range.start.family || r.range.end.value > reach.range.end.value) reach = r;
  }
  return undefined;
}

const describeRange = (r: Range): string => `${formatCidr(r.subnet)} (${formatIP(r.start)}-${formatIP(r.end)})`;

export const describeSet = (set: RangeSet): string => set.map((r) => formatCidr(r.subnet)).join(',');

/** The range of `set` holding `ip` between its bounds, if any. */
export const rangeFor = (set: RangeSet, ip: IP): Range | undefined =>
  set.find((r) => r.start.family === ip.family && r.start.value <= ip.value && ip.value <= r.end.value);

/** How many addresses the set can hand out (its gateways excluded). */
export function capacity(set: RangeSet): bigint {
  let total = 0n;
  for (const r of set) {
    total += r.end.value - r.start.value + 1n;
    if (rangeFor([r], r.gateway)) total -= 1n;
  }
  return total;
}

/**
 * Every candidate address of the set once, round-robin: starting after `last` when it lies in
 * the set (else at the first range's start), wrapping through the ranges in order, skipping
 * gateways. The same order as the reference plugin's iterator.
 */
export function* candidates(set: RangeSet, last: IP | undefined): Generator<{ ip: IP; range: Range }> {
  // Number the set's addresses 0..total-1, range after range, and walk that ring once.
  const sizes = set.map((r) => r.end.value - r.start.value + 1n);
  const total = sizes.reduce((a, b) => a + b, 0n);
  let first = 0n;
  if (last) {
    let before = 0n;
    for (const [i, r] of set.entries()) {
      if (rangeFor([r], last)) {
        first = (before + last.value - r.start.value + 1n) % total;
        break;
      }
      before += sizes[i]!;
    }
  }
  for (let k = 0n; k < total; k++) {
    let pos = (first + k) % total;
    let i = 0;
    while (pos >= sizes[i]!) pos -= sizes[i++]!;
    const range = set[i]!;
    const ip: IP = { family: range.start.family, value: range.start.value + pos };
    if (!sameIP(ip, range.gateway)) yield { ip, range };
  }
}
