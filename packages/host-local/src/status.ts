import { CniError, ErrorCode, type CallContext } from '@cni-ts/core';
import { parseIpamConfig } from './config.ts';
import { sameIP } from '@cni-ts/core/net/ip';
import { capacity, describeSet, rangeFor } from './range.ts';
import { networkDir } from './session.ts';

/**
 * STATUS: code 50 when some range set has no address left to hand out. Counting file names is
 * enough while addresses remain; only a set that looks full has its files read, because ADD
 * reuses an address whose file holds no owner.
 */
export async function status(ctx: CallContext): Promise<void> {
  const conf = parseIpamConfig(ctx.config);
  const net = networkDir(conf);
  const reserved = net.reservationNames();
  conf.rangeSets.forEach((set, i) => {
    const total = capacity(set);
    const inSet = reserved.filter(({ ip }) => {
      const range = rangeFor(set, ip);
      return range !== undefined && !sameIP(range.gateway, ip);
    });
    if (BigInt(inSet.length) < total) return;
    // Only an empty file's address is handed out again (a directory or symlink there is not).
    const used = BigInt(inSet.filter(({ name }) => {
      const r = net.readName(name);
      return r !== undefined && r.kind !== 'empty';
    }).length);
    if (used >= total) {
      throw new CniError(ErrorCode.PluginNotAvailable, `range set ${i} (${describeSet(set)}) has no free address: ${used} of ${total} reserved`);
    }
  });
}
