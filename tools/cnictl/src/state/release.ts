import { atLeast } from '@cni-ts/core';
import type { NetworkList } from '../conf/load.ts';
import type { ValidAttachment } from '../runtime/chain.ts';
import type { NetworkState } from './inventory.ts';

/** Counts of what a GC removes, by kind. */
export interface Released {
  attachments: number;
  ips: number;
  ruleSets: number;
  savedConfigs: number;
}

/** Does an owner (container id, maybe an interface) belong to one of `keys`? No ifname matches any. */
export function ownedByAny(keys: ReadonlyArray<{ containerId: string; ifName: string }>, containerId: string | undefined, ifName?: string): boolean {
  return keys.some((k) => k.containerId === containerId && (ifName === undefined || ifName === k.ifName));
}

const ruleKey = (r: NetworkState['rules'][number]): string => `${r.backend}\0${r.chain}\0${r.containerId}`;

/** What went between two readings of one network's state. */
export function released(before: NetworkState, after: NetworkState): Released {
  const gone = <T>(a: T[], b: T[], key: (x: T) => string): number => {
    const left = new Set(b.map(key));
    return a.filter((x) => !left.has(key(x))).length;
  };
  return {
    attachments: gone(before.attachments, after.attachments, (a) => `${a.containerId}\0${a.ifName}`),
    ips: gone(before.reservations, after.reservations, (r) => r.file),
    ruleSets: gone(before.rules, after.rules, ruleKey),
    savedConfigs: gone(before.savedConfigs, after.savedConfigs, (s) => s.file),
  };
}

/**
 * What a GC with this valid set would remove: the cached attachments not valid, and what their
 * DELs free; on a 1.1.0 list the plugins' own GC then frees everything else not owned by a valid
 * attachment. Our plugins implement that GC; for others this is the upper bound.
 */
export function wouldRelease(list: NetworkList, state: NetworkState, valid: readonly ValidAttachment[]): NetworkState {
  const keep = valid.map((v) => ({ containerId: v.containerID, ifName: v.ifname }));
  const stale = state.attachments.filter((a) => !ownedByAny(keep, a.containerId, a.ifName));
  const goes = (containerId: string | undefined, ifName?: string): boolean =>
    atLeast(list.cniVersion, '1.1.0') ? !ownedByAny(keep, containerId, ifName) : ownedByAny(stale, containerId, ifName);
  return {
    network: state.network,
    attachments: stale,
    reservations: state.reservations.filter((r) => goes(r.containerId, r.ifName)),
    savedConfigs: state.savedConfigs.filter((s) => goes(s.containerId, s.ifName)),
    rules: state.rules.filter((r) => goes(r.containerId)),
  };
}

/** How many of each kind a state holds. */
export const counts = (s: NetworkState): Released => ({
  attachments: s.attachments.length,
  ips: s.reservations.length,
  ruleSets: s.rules.length,
  savedConfigs: s.savedConfigs.length,
});

export const releasedText = (r: Released): string =>
  `${r.ips} IP(s), ${r.ruleSets} rule set(s), ${r.savedConfigs} saved config(s), ${r.attachments} cached result(s)`;
