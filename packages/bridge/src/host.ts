import { CniError, ErrorCode } from '@cni-ts/core';
import { IpBatch } from '@cni-ts/linux/ip/batch';
import { broadcastArgs } from '@cni-ts/linux/ip/broadcast';
import { contains, formatCidr, parseCidr, type Cidr } from '@cni-ts/core/net/ip';
import { isZeroMac } from '@cni-ts/linux/ip/mac';
import type { LinkState } from '@cni-ts/linux/ip/query';
import type { BridgeConfig } from './config.ts';

/** Names and MACs chosen for one attachment. MACs are set explicitly so no query is needed after. */
export interface VethNames {
  host: string;
  hostMac: string;
  container: string;
  containerMac: string;
  netns: string;
}

/**
 * Addresses to remove from the bridge before adding the gateways. An IPv4 address that is not
 * the gateway, or an IPv6 one overlapping it, is a conflict: removed with forceAddress, an error
 * otherwise (the subnet changed since the bridge was set up).
 */
export function conflictingAddrs(cfg: BridgeConfig, bridge: LinkState | undefined, gateways: Cidr[]): Cidr[] {
  if (!bridge) return [];
  const out: Cidr[] = [];
  for (const gw of gateways) {
    const want = formatCidr(gw);
    for (const a of bridge.addrs) {
      const have = parseCidr(`${a.local}/${a.prefixlen}`);
      if (!have || have.family !== gw.family || formatCidr(have) === want) continue;
      if (gw.family === 6 && !contains(have, gw) && !contains(gw, have)) continue;
      if (!cfg.forceAddress) {
        throw new CniError(
          ErrorCode.InvalidConfig,
          `bridge "${cfg.bridge}" already has an IP address different from ${want}: it has ${formatCidr(have)}. ` +
            `The network's subnet changed since the bridge was set up: set "forceAddress": true to replace the address, ` +
            `or remove it with "ip addr del ${formatCidr(have)} dev ${cfg.bridge}"`,
        );
      }
      if (!out.some((o) => formatCidr(o) === formatCidr(have))) out.push(have);
    }
  }
  return out;
}

/** A new bridge: its MAC set explicitly, which pins it (else the kernel takes a port's MAC, which changes as ports come and go). */
export function planNewBridge(batch: IpBatch, cfg: BridgeConfig, mac: string): void {
  const vlanFiltering = cfg.vlan !== 0 || cfg.vlanTrunk.length > 0;
  batch.add('link', 'add', 'name', cfg.bridge, 'address', mac, ...mtuArgs(cfg), 'type', 'bridge', ...(vlanFiltering ? ['vlan_filtering', '1'] : []));
  if (cfg.promiscMode) batch.add('link', 'set', 'dev', cfg.bridge, 'promisc', 'on');
  batch.add('link', 'set', 'dev', cfg.bridge, 'up');
}

/** What an existing bridge lacks for this config. `mac` replaces an all-zero MAC (left by a failed reference ADD). */
export function planBridgeFixes(batch: IpBatch, cfg: BridgeConfig, bridge: LinkState, mac: string): void {
  const br = cfg.bridge;
  if (isZeroMac(bridge.mac)) batch.add('link', 'set', 'dev', br, 'address', mac);
  if ((cfg.vlan !== 0 || cfg.vlanTrunk.length > 0) && !bridge.vlanFiltering) batch.add('link', 'set', 'dev', br, 'type', 'bridge', 'vlan_filtering', '1');
  if (cfg.promiscMode && !bridge.promisc) batch.add('link', 'set', 'dev', br, 'promisc', 'on');
  if (!bridge.flags.includes('UP')) batch.add('link', 'set', 'dev', br, 'up');
}

/**
 * Gateway addresses on the bridge: conflicting ones removed (forceAddress), missing ones added.
 * Nothing when the bridge already has them, the usual case after the first pod.
 */
export function planGateways(batch: IpBatch, cfg: BridgeConfig, bridge: LinkState | undefined, remove: Cidr[], gateways: Cidr[]): void {
  const present = new Set((bridge?.addrs ?? []).flatMap((a) => {
    const c = parseCidr(`${a.local}/${a.prefixlen}`);
    return c ? [formatCidr(c)] : [];
  }));
  for (const a of remove) batch.add('addr', 'del', formatCidr(a), 'dev', cfg.bridge);
  // "replace" rather than "add": a concurrent ADD putting the same gateway first is not an error.
  for (const gw of gateways) {
    if (!present.has(formatCidr(gw))) batch.add('addr', 'replace', formatCidr(gw), 'dev', cfg.bridge, ...(gw.family === 6 ? ['nodad'] : broadcastArgs(gw)));
  }
}

/** The veth pair: created in the host with its peer placed straight into the container's namespace. */
export function planVethCreate(batch: IpBatch, cfg: BridgeConfig, v: VethNames): void {
  const mtu = mtuArgs(cfg);
  batch.add('link', 'add', v.host, 'address', v.hostMac, ...mtu, 'type', 'veth', 'peer', 'name', v.container, 'address', v.containerMac, ...mtu, 'netns', v.netns);
}

/** The host end as a port of the bridge, up, with its port flags. */
export function planVethAttach(batch: IpBatch, cfg: BridgeConfig, v: VethNames): void {
  batch.add('link', 'set', 'dev', v.host, 'master', cfg.bridge, 'up');
  const port: string[] = [];
  if (cfg.hairpinMode) port.push('hairpin', 'on');
  if (cfg.portIsolation) port.push('isolated', 'on');
  if (port.length > 0) batch.add('link', 'set', 'dev', v.host, 'type', 'bridge_slave', ...port);
}

/** `bridge -batch` lines for the port's VLANs: access (PVID, untagged) and trunk (tagged). */
export function planPortVlans(cfg: BridgeConfig, hostVeth: string): string {
  const lines: string[] = [];
  if ((cfg.vlan !== 0 || cfg.vlanTrunk.length > 0) && !cfg.preserveDefaultVlan) lines.push(`vlan del dev ${hostVeth} vid 1`);
  if (cfg.vlan !== 0) lines.push(`vlan add dev ${hostVeth} vid ${cfg.vlan} pvid untagged`);
  for (const [lo, hi] of ranges(cfg.vlanTrunk)) lines.push(`vlan add dev ${hostVeth} vid ${lo === hi ? lo : `${lo}-${hi}`}`);
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

function ranges(ids: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const id of ids) {
    const last = out[out.length - 1];
    if (last && last[1] === id - 1) last[1] = id;
    else out.push([id, id]);
  }
  return out;
}

const mtuArgs = (cfg: BridgeConfig): string[] => (cfg.mtu !== undefined ? ['mtu', String(cfg.mtu)] : []);
