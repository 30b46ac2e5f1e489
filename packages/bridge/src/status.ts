import { CniError, delegate, ErrorCode, getInsensitive, type CallContext } from '@cni-ts/core';
import { firstHost, parseCidr, parseIP, type Cidr } from '@cni-ts/core/net/ip';
import { showLink } from '@cni-ts/linux/ip/query';
import type { CommandRunner } from '@cni-ts/linux/run';
import { parseConfig } from './config.ts';
import { conflictingAddrs } from './host.ts';

/**
 * The gateways an ADD would put on the bridge, as far as the IPAM section tells them without
 * asking IPAM: host-local's `ranges` (or the older `subnet`), each range's `gateway` or the
 * subnet's first host. Entries that do not read as addresses are left to ADD to report.
 */
export function configuredGateways(ipam: Record<string, unknown> | undefined): Cidr[] {
  if (!ipam) return [];
  const ranges = getInsensitive(ipam, 'ranges');
  const flat: unknown[] = Array.isArray(ranges) ? ranges.flatMap((set) => (Array.isArray(set) ? set : [])) : [ipam];
  return flat.flatMap((r) => {
    if (typeof r !== 'object' || r === null) return [];
    const subnet = getInsensitive(r as Record<string, unknown>, 'subnet');
    const net = typeof subnet === 'string' ? parseCidr(subnet) : undefined;
    if (!net) return [];
    const gw = getInsensitive(r as Record<string, unknown>, 'gateway');
    const ip = (typeof gw === 'string' && parseIP(gw)) || firstHost(net);
    return [{ ...ip, prefix: net.prefix }];
  });
}

/**
 * STATUS: the bridge cannot take pods when it holds an address that an ADD would refuse (the
 * "already has an IP address different from" case: the subnet changed since the bridge was set
 * up); then IPAM's own STATUS (e.g. a full range).
 */
export async function status(ctx: CallContext, runner: CommandRunner): Promise<void> {
  const cfg = parseConfig(ctx.config, ctx.cniArgs);
  if (cfg.isGateway) {
    const gateways = configuredGateways(ctx.config.ipam as Record<string, unknown> | undefined);
    const bridge = gateways.length > 0 ? await showLink(runner, '', cfg.bridge) : undefined;
    try {
      conflictingAddrs(cfg, bridge, gateways);
    } catch (e) {
      throw new CniError(ErrorCode.PluginNotAvailable, `cannot add pods: ${(e as Error).message}`);
    }
  }
  if (cfg.ipamType) await delegate(ctx, cfg.ipamType, 'STATUS', ctx.config);
}
