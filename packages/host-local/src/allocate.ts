import { CniError, ErrorCode } from '@cni-ts/core';
import type { RequestedIP } from './config.ts';
import { formatIP, sameIP, type IP } from '@cni-ts/core/net/ip';
import { candidates, capacity, describeSet, rangeFor, type Range, type RangeSet } from './range.ts';
import { releasePreviousBoots } from './previous-boot.ts';
import type { Session } from './session.ts';
import type { Owner } from './store.ts';

export interface Allocation {
  ip: IP;
  range: Range;
}

const fail = (msg: string): CniError => new CniError(ErrorCode.Internal, msg);

/**
 * Reserve one address of range set `setIndex` for `owner`: the requested one, or the next free
 * one after `last_reserved_ip.<setIndex>` (round-robin). A reservation file with no owner in it
 * can only be left by a writer that died between creating and writing it (every writer holds
 * the lock, the reference plugin too); no container ever got that address, so it counts as free.
 */
export function allocate(s: Session, set: RangeSet, setIndex: number, owner: Owner, requested?: RequestedIP): Allocation {
  const chosen = requested ? checkRequested(s, set, requested) : findFree(s, set, setIndex);
  const name = formatIP(chosen.ip);
  s.net.reserve(chosen.ip, owner);
  // Indexed at once: from here on a DEL finds the reservation, whatever fails next.
  s.index.add(owner, name);
  try {
    s.net.setLastReserved(setIndex, chosen.ip);
  } catch (err) {
    s.net.release(name);
    s.index.remove(owner, name);
    throw err;
  }
  return chosen;
}

function checkRequested(s: Session, set: RangeSet, requested: RequestedIP): Allocation {
  const range = rangeFor(set, requested.ip);
  const ip = formatIP(requested.ip);
  if (!range) throw fail(`requested IP ${ip} (${requested.source}) is not in range set ${describeSet(set)}`);
  if (sameIP(range.gateway, requested.ip)) throw fail(`requested IP ${ip} (${requested.source}) is the subnet's gateway`);
  const held = s.net.read(requested.ip);
  if (held?.kind === 'owner') {
    throw fail(`requested IP address ${ip} is not available in range set ${describeSet(set)}: reserved by ${held.owner.containerId}`);
  }
  if (held?.kind === 'foreign') {
    throw fail(`requested IP address ${ip} is not available: ${s.net.path}/${ip} is ${held.what}, not a reservation file`);
  }
  return { ip: requested.ip, range };
}

/** The next free address of the set; when it is full, what pods of a previous boot held. */
function findFree(s: Session, set: RangeSet, setIndex: number): Allocation {
  try {
    return firstFree(s, set, setIndex);
  } catch (err) {
    if (releasePreviousBoots(s, set) === 0) throw err;
    return firstFree(s, set, setIndex);
  }
}

function firstFree(s: Session, set: RangeSet, setIndex: number): Allocation {
  let inUse = 0n;
  for (const candidate of candidates(set, s.net.lastReserved(setIndex))) {
    const held = s.net.read(candidate.ip);
    if (held === undefined || held.kind === 'empty') return candidate;
    if (held.kind === 'foreign') s.log(`host-local: skipped ${formatIP(candidate.ip)}: ${s.net.path}/${formatIP(candidate.ip)} is ${held.what}, not a reservation file`);
    inUse += 1n;
  }
  throw fail(`no IP addresses available in range set ${describeSet(set)}: all ${inUse} of ${capacity(set)} addresses are reserved`);
}
