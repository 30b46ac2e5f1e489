import { CniError, CURRENT_VERSION, ErrorCode, type CallContext, type Result } from '@cni-ts/core';
import { allocate, type Allocation } from './allocate.ts';
import { parseIpamConfig, requestedIPs, type RequestedIP } from './config.ts';
import { formatIP, parseIP } from '@cni-ts/core/net/ip';
import { describeSet, rangeFor, type RangeSet } from './range.ts';
import { stateError, withNetwork, type Session } from './session.ts';
import type { Owner } from './store.ts';

/**
 * Match each requested address to the one range set holding it, before anything is reserved:
 * an address in no set, or two in one set, can never be satisfied.
 */
function assignRequests(sets: RangeSet[], requested: RequestedIP[]): (RequestedIP | undefined)[] {
  const perSet: (RequestedIP | undefined)[] = sets.map(() => undefined);
  for (const req of requested) {
    const i = sets.findIndex((set) => rangeFor(set, req.ip));
    if (i < 0) {
      throw new CniError(ErrorCode.InvalidConfig, `${req.source}: failed to allocate all requested IPs: ${formatIP(req.ip)} is in no configured range`);
    }
    if (perSet[i]) {
      throw new CniError(ErrorCode.InvalidConfig, `${req.source}: ${formatIP(req.ip)} and ${formatIP(perSet[i]!.ip)} are both in range set ${i} (${describeSet(sets[i]!)}); one address is allocated per set`);
    }
    perSet[i] = req;
  }
  return perSet;
}

/**
 * Release what this ADD reserved. Each address on its own: one that cannot be released stays
 * in the index, so a DEL still finds it, and the rest are released anyway.
 */
function rollBack(s: Session, owner: Owner, done: Allocation[]): void {
  for (const a of done) {
    const name = formatIP(a.ip);
    try {
      s.net.release(name);
      s.index.remove(owner, name);
    } catch (err) {
      s.log(`host-local: could not release ${name} after the failed ADD (a DEL will): ${(err as Error).message}`);
    }
  }
}

/** ADD: one address from each range set for this container+ifname, all or nothing. */
export async function add(ctx: CallContext): Promise<Result> {
  const conf = parseIpamConfig(ctx.config);
  const requests = assignRequests(conf.rangeSets, requestedIPs(ctx));
  const owner = { containerId: ctx.containerId, ifName: ctx.ifName };

  const allocations = await withNetwork(conf, 'change', ctx.log, (s) => {
    for (const { name } of s.reservationsOf(owner.containerId, owner.ifName)) {
      const ip = parseIP(name);
      const setIndex = ip ? conf.rangeSets.findIndex((set) => rangeFor(set, ip)) : -1;
      if (setIndex >= 0) {
        throw new CniError(ErrorCode.Internal, `failed to allocate for range ${setIndex}: ${name} has been allocated to ${owner.containerId}, duplicate allocation is not allowed`);
      }
    }
    const done: Allocation[] = [];
    try {
      conf.rangeSets.forEach((set, i) => {
        try {
          done.push(allocate(s, set, i, owner, requests[i]));
        } catch (err) {
          const e = CniError.from(stateError(err, conf));
          throw new CniError(e.code, `failed to allocate for range ${i}: ${e.message}`);
        }
      });
    } catch (err) {
      rollBack(s, owner, done);
      throw err;
    }
    return done;
  });

  return {
    cniVersion: CURRENT_VERSION,
    ips: allocations.map((a) => ({ address: `${formatIP(a.ip)}/${a.range.subnet.prefix}`, gateway: formatIP(a.range.gateway) })),
    ...(conf.routes.length > 0 && { routes: conf.routes }),
    ...(conf.dns && { dns: conf.dns }),
  };
}
