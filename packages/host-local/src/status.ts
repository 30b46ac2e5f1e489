import { CniError, ErrorCode, type CallContext } from '@cni-ts/core';
import { parseIpamConfig } from './config.ts';
import { sameIP } from './ip.ts';
import { capacity, describeSet, rangeFor } from './range.ts';
import { networkDir } from './session.ts';

/** STATUS: code 50 when some range set has no address left to hand out. */
export async function status(ctx: CallContext): Promise<void> {
  const conf = parseIpamConfig(ctx.config);
  const reserved = networkDir(conf).reservationNames();
  conf.rangeSets.forEach((set, i) => {
    const total = capacity(set);
    let used = 0n;
    for (const { ip } of reserved) {
      const range = rangeFor(set, ip);
      if (range && !sameIP(range.gateway, ip)) used += 1n;
    }
    if (used >= total) {
      throw new CniError(ErrorCode.PluginNotAvailable, `range set ${i} (${describeSet(set)}) has no free address: ${used} of ${total} reserved`);
    }
  });
}
