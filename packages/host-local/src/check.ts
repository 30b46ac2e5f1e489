import { CniError, ErrorCode, type CallContext } from '@cni-ts/core';
import { parseIpamConfig } from './config.ts';
import { formatIP, parseCidr } from '@cni-ts/core/net/ip';
import { rangeFor } from './range.ts';
import { networkDir, withNetwork } from './session.ts';

/**
 * CHECK: this container+ifname holds a reservation, and every prevResult address that lies in
 * one of our ranges is reserved for it.
 */
export async function check(ctx: CallContext): Promise<void> {
  const conf = parseIpamConfig(ctx.config);
  const who = `container ${ctx.containerId} interface ${ctx.ifName}`;
  const missing = (): CniError => new CniError(ErrorCode.Internal, `host-local: failed to find an address reserved for ${who} in network ${conf.name}`);
  if (!networkDir(conf).exists()) throw missing();
  const held = new Set(await withNetwork(conf, 'read', ctx.log, (s) => s.reservationsOf(ctx.containerId, ctx.ifName).map((r) => r.name)));
  if (held.size === 0) throw missing();
  for (const ipc of ctx.prevResult?.ips ?? []) {
    const cidr = parseCidr(ipc.address);
    if (!cidr || !conf.rangeSets.some((set) => rangeFor(set, cidr))) continue;
    if (!held.has(formatIP(cidr))) {
      throw new CniError(ErrorCode.Internal, `host-local: prevResult address ${ipc.address} is not reserved for ${who}`);
    }
  }
}
