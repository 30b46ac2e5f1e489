import type { Route } from '@cni-ts/core';
import { IpBatch } from '@cni-ts/linux/ip/batch';
import { broadcastArgs } from '@cni-ts/linux/ip/broadcast';
import { formatCidr, networkOf, parseCidr, type Cidr, type Family } from '@cni-ts/core/net/ip';
import type { BridgeConfig } from './config.ts';

/** Per-interface sysctls of the container side, set before addresses go on (as the reference does). */
export function containerSysctls(cfg: BridgeConfig, ifName: string, addrs: Cidr[]): Record<string, string> {
  const s: Record<string, string> = { [`net/ipv4/conf/${ifName}/arp_notify`]: '1' };
  if (addrs.some((a) => a.family === 6)) {
    s[`net/ipv6/conf/${ifName}/disable_ipv6`] = '0';
    s[`net/ipv6/conf/${ifName}/keep_addr_on_down`] = '1';
  }
  if (cfg.enableDad) {
    s[`net/ipv6/conf/${ifName}/enhanced_dad`] = '1';
    s[`net/ipv6/conf/${ifName}/accept_dad`] = '1';
  } else {
    s[`net/ipv6/conf/${ifName}/accept_dad`] = '0';
  }
  return s;
}

/** Addresses and link state of the container interface. */
export function planContainerLink(batch: IpBatch, cfg: BridgeConfig, ifName: string, addrs: Cidr[]): void {
  for (const a of addrs) batch.add('addr', 'add', formatCidr(a), 'dev', ifName, ...broadcastArgs(a));
  if (!cfg.disableContainerInterface) batch.add('link', 'set', 'dev', ifName, 'up');
}

/** Routes through the container interface; a route without "gw" uses its family's gateway. */
export function planRoutes(batch: IpBatch, ifName: string, routes: Route[], defaultGw: Partial<Record<Family, string>>): void {
  for (const r of routes) {
    const dst = parseCidr(r.dst);
    if (!dst) continue; // the dispatcher and IPAM validate routes; an unparsable one cannot reach here
    const gw = r.gw ?? defaultGw[dst.family];
    batch.add(
      'route', 'add', formatCidr(networkOf(dst)),
      ...(gw ? ['via', gw] : []),
      'dev', ifName,
      ...(r.priority !== undefined ? ['metric', String(r.priority)] : []),
      ...(r.table !== undefined ? ['table', String(r.table)] : []),
      ...(r.scope !== undefined ? ['scope', String(r.scope)] : []),
      ...(r.mtu !== undefined ? ['mtu', String(r.mtu)] : []),
      ...(r.advmss !== undefined ? ['advmss', String(r.advmss)] : []),
    );
  }
}
