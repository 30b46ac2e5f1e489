import { join } from 'node:path';
import { parseIP } from '@cni-ts/core/net/ip';
import { bootId, ownerKey, OwnerIndex, type IndexEntry } from './owner-index.ts';
import { rangeFor, type RangeSet } from './range.ts';
import type { Session } from './session.ts';
import { NetworkDir, type Owner } from './store.ts';

/**
 * Reservations made before the last boot. No network namespace survives a reboot, so their
 * pods are gone; the reference plugin keeps them for ever and pools run dry. host-local
 * releases them on GC and, when a range set is full, on ADD. Only reservations whose boot the
 * index recorded count: one found on disk without a record (e.g. made by the reference plugin)
 * is never taken for one.
 */
export interface PreviousBootReservation {
  address: string;
  owner: Owner;
  /** The boot_id recorded when it was reserved. */
  bootId: string;
}

/** The index's previous-boot entries that their reservation file still confirms. */
function confirmed(net: NetworkDir, entries: IndexEntry[]): PreviousBootReservation[] {
  return entries.flatMap((e) => {
    const r = net.readName(e.name);
    return r?.kind === 'owner' && ownerKey(r.owner) === e.key ? [{ address: e.name, owner: r.owner, bootId: e.boot }] : [];
  });
}

/** ADD on a full range set: release its previous-boot reservations; returns how many went. */
export function releasePreviousBoots(s: Session, set: RangeSet): number {
  let released = 0;
  for (const r of confirmed(s.net, s.index.fromPreviousBoots())) {
    const ip = parseIP(r.address);
    if (!ip || !rangeFor(set, ip)) continue;
    s.net.release(r.address);
    s.index.remove(r.owner, r.address);
    s.log(`host-local: the range set was full: released ${r.address} (${r.owner.containerId}), reserved before this boot`);
    released++;
  }
  return released;
}

/**
 * A read-only report for operators (`cnictl`): the previous-boot reservations of network
 * `netName` in `dataDir`, and this boot's id. Takes no lock: a report, not a decision.
 */
export function previousBootReservations(dataDir: string, netName: string): { bootId: string; reservations: PreviousBootReservation[] } {
  const net = new NetworkDir(join(dataDir, netName));
  return { bootId: bootId(), reservations: confirmed(net, new OwnerIndex(dataDir, netName, net).fromPreviousBoots()) };
}
