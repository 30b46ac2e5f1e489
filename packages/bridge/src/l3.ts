import { CniError, ErrorCode, type IPConfig, type Result, type Route } from '@cni-ts/core';
import { firstHost, formatCidr, formatIP, parseCidr, parseIP, type Cidr, type Family } from '@cni-ts/core/net/ip';
import type { BridgeConfig } from './config.ts';

/** Index of the container interface in the result: [bridge, host veth, container veth]. */
export const CONTAINER_IF_INDEX = 2;

/** What the container and the bridge get from IPAM's answer and the gateway keys. */
export interface L3Plan {
  ips: IPConfig[];
  routes: Route[];
  /** The container's addresses, parsed. */
  addrs: Cidr[];
  /** Gateway addresses (with the subnet's prefix) to put on the bridge when isGateway. */
  bridgeAddrs: Cidr[];
  /** First gateway per family: routes without "gw" go through it. */
  defaultGw: Partial<Record<Family, string>>;
}

const DEFAULT_DST: Record<Family, string> = { 4: '0.0.0.0/0', 6: '::/0' };

export function planL3(cfg: BridgeConfig, ipam: Result): L3Plan {
  const ips: IPConfig[] = [];
  const routes: Route[] = [...(ipam.routes ?? [])];
  const addrs: Cidr[] = [];
  const bridgeAddrs: Cidr[] = [];
  const defaultGw: Partial<Record<Family, string>> = {};
  const hasDefault = new Set<Family>();
  for (const r of routes) {
    const dst = parseCidr(r.dst);
    if (dst && dst.prefix === 0 && r.gw) hasDefault.add(dst.family);
  }
  for (const ipc of ipam.ips ?? []) {
    const addr = parseCidr(ipc.address);
    if (!addr) throw new CniError(ErrorCode.DecodeFailure, `IPAM returned an invalid address ${JSON.stringify(ipc.address)}`);
    let gateway = ipc.gateway;
    if (gateway !== undefined && parseIP(gateway)?.family !== addr.family) {
      throw new CniError(ErrorCode.DecodeFailure, `IPAM returned gateway ${gateway} for address ${ipc.address} of another family`);
    }
    if (gateway === undefined && cfg.isGateway) gateway = formatIP(firstHost(addr));
    if (gateway !== undefined) defaultGw[addr.family] ??= gateway;
    if (cfg.isDefaultGateway && !hasDefault.has(addr.family) && gateway !== undefined) {
      routes.push({ dst: DEFAULT_DST[addr.family], gw: gateway });
      hasDefault.add(addr.family);
    }
    if (cfg.isGateway && gateway !== undefined) {
      const gw: Cidr = { ...parseIP(gateway)!, prefix: addr.prefix };
      if (!bridgeAddrs.some((b) => formatCidr(b) === formatCidr(gw))) bridgeAddrs.push(gw);
    }
    addrs.push(addr);
    ips.push({ ...ipc, ...(gateway !== undefined && { gateway }), interface: CONTAINER_IF_INDEX });
  }
  return { ips, routes, addrs, bridgeAddrs, defaultGw };
}
