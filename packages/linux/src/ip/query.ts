import { inNetns } from '../netns.ts';
import type { CommandRunner } from '../run.ts';
import { IpBatch, IpBatchError, runIpBatch } from './batch.ts';
import type { Family } from '@cni-ts/core/net/ip';

/** What `ip -d -json addr show` says about one link, reduced to what plugins look at. */
export interface LinkState {
  ifindex: number;
  name: string;
  /** linkinfo kind: "bridge", "veth", "vlan", ...; undefined for plain devices. */
  kind: string | undefined;
  mac: string;
  mtu: number;
  flags: string[];
  promisc: boolean;
  /** Name of the bridge this link is a port of. */
  master: string | undefined;
  /** ifindex of the peer (veth) or lower device, as seen from this namespace. */
  linkIndex: number | undefined;
  operstate: string;
  vlanFiltering: boolean;
  addrs: Array<{ family: Family; local: string; prefixlen: number; scope: string }>;
}

interface RawAddr {
  family?: string;
  local?: string;
  prefixlen?: number;
  scope?: string;
}
interface RawLink {
  ifindex: number;
  ifname: string;
  address?: string;
  mtu?: number;
  flags?: string[];
  promiscuity?: number;
  master?: string;
  link_index?: number;
  operstate?: string;
  linkinfo?: { info_kind?: string; info_data?: { vlan_filtering?: number } };
  addr_info?: RawAddr[];
}

export function parseLinks(json: string): LinkState[] {
  const raw = JSON.parse(json || '[]') as RawLink[];
  return raw.map((l) => ({
    ifindex: l.ifindex,
    name: l.ifname,
    kind: l.linkinfo?.info_kind,
    mac: (l.address ?? '').toLowerCase(),
    mtu: l.mtu ?? 0,
    flags: l.flags ?? [],
    promisc: (l.promiscuity ?? 0) > 0 || (l.flags ?? []).includes('PROMISC'),
    master: l.master,
    linkIndex: l.link_index,
    operstate: l.operstate ?? 'UNKNOWN',
    vlanFiltering: l.linkinfo?.info_data?.vlan_filtering === 1,
    addrs: (l.addr_info ?? [])
      .filter((a) => (a.family === 'inet' || a.family === 'inet6') && a.local !== undefined)
      .map((a) => ({ family: a.family === 'inet' ? 4 : 6, local: a.local!, prefixlen: a.prefixlen ?? 0, scope: a.scope ?? '' })),
  }));
}

/**
 * One link with its addresses, or undefined when no link has that name. Asked as a one-line
 * batch, which the executables answer in-process (ip/netlink-runner.ts) instead of starting `ip`.
 */
export async function showLink(runner: CommandRunner, netns: string, name: string): Promise<LinkState | undefined> {
  try {
    return parseLinks(await runIpBatch(runner, netns, new IpBatch().add('addr', 'show', 'dev', name), ['-d', '-json']))[0];
  } catch (err) {
    if (!(err instanceof IpBatchError)) throw err;
    if (err.noDevice) return undefined;
    throw new Error(`ip addr show dev ${name}: ${err.stderr.trim()}`);
  }
}

/** Every link of a namespace with its addresses. */
export async function showLinks(runner: CommandRunner, netns: string): Promise<LinkState[]> {
  const r = await runner.run(inNetns(netns, ['ip', '-d', '-json', 'addr', 'show']));
  if (r.code !== 0) throw new Error(`ip addr show: ${r.stderr.trim()}`);
  return parseLinks(r.stdout);
}

export interface RouteState {
  dst: string;
  gateway: string | undefined;
  dev: string | undefined;
  table: string | undefined;
}

/** Routes of one family in every table of a namespace. */
export async function showRoutes(runner: CommandRunner, netns: string, family: Family): Promise<RouteState[]> {
  const r = await runner.run(inNetns(netns, ['ip', `-${family}`, '-json', 'route', 'show', 'table', 'all']));
  if (r.code !== 0) throw new Error(`ip -${family} route show: ${r.stderr.trim()}`);
  const raw = JSON.parse(r.stdout || '[]') as Array<{ dst?: string; gateway?: string; dev?: string; table?: string }>;
  return raw.map((x) => ({ dst: x.dst ?? '', gateway: x.gateway, dev: x.dev, table: x.table }));
}
