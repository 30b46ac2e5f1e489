import { parseIP } from '@cni-ts/core/net/ip';
import { capacity, describeSet, rangeFor, type RangeSet } from '@cni-ts/host-local/range';
import type { ReservationEntry } from './inventory.ts';

/** One range set of a host-local store: how many addresses it hands out and how many are held. */
export interface RangeUsage {
  ranges: string;
  used: number;
  free: number;
}

/** Used and free per range set, counting the reservations that fall in it (gateways excluded). */
export function rangeUsage(sets: readonly RangeSet[], reservations: readonly ReservationEntry[]): RangeUsage[] {
  return sets.map((set) => {
    const used = reservations.filter((r) => {
      const ip = parseIP(r.ip);
      const range = ip && rangeFor(set, ip);
      return range !== undefined && !(range.gateway.value === ip!.value && range.gateway.family === ip!.family);
    }).length;
    return { ranges: describeSet(set), used, free: Number(capacity(set)) - used };
  });
}
