import { openSync, closeSync } from 'node:fs';
import { networkOf, type Cidr, type Family } from '@cni-ts/core/net/ip';
import type { RunResult } from '../run.ts';
import * as K from './constants.ts';
import { invalidArgument, IpArgumentError, NetlinkError } from './errors.ts';
import { macBytes } from '../ip/mac.ts';
import { ipBytes } from './address.ts';
import type { BatchLine, IpCommand } from './ip-command.ts';
import { describeLink, getLink } from './link-show.ts';
import { ifaddrmsg, ifinfomsg } from './headers.ts';
import { MessageBuilder } from './message.ts';
import type { NetlinkSocket } from './socket.ts';

/**
 * Carries out parsed `ip -batch` lines over one rtnetlink socket, with iproute2's behaviour
 * towards callers: lines run in order, the first failure stops the batch with iproute2's words
 * and "Command failed -:N" on stderr, and `addr show` lines print `ip -d -json` output.
 */
export function executeIpBatch(nl: NetlinkSocket, lines: ReadonlyArray<BatchLine & { command: IpCommand }>): RunResult {
  const links = new LinkIndexes(nl);
  let stdout = '';
  for (const line of lines) {
    try {
      const shown = execute(nl, links, line.command);
      if (shown !== undefined) stdout += `${JSON.stringify([shown])}\n`;
    } catch (err) {
      if (err instanceof IpArgumentError && err.exitsBatch) return { stdout, stderr: `${err.message}\n`, code: 255 };
      if (!(err instanceof NetlinkError || err instanceof IpArgumentError)) throw err;
      return { stdout, stderr: `${err.message}\nCommand failed -:${line.number}\n`, code: 1 };
    }
  }
  return { stdout, stderr: '', code: 0 };
}

/** ifindex by name, asked of the kernel once per name and batch (a deleted link is forgotten). */
class LinkIndexes {
  private readonly known = new Map<string, number>();
  constructor(private readonly nl: NetlinkSocket) {}

  /** `missing` is the error when no link has that name (iproute2 words it per argument). */
  of(name: string, missing: Error = new IpArgumentError(`Cannot find device "${name}"`)): number {
    const cached = this.known.get(name);
    if (cached !== undefined) return cached;
    const index = getLink(this.nl, name)?.index;
    if (index === undefined) throw missing;
    this.known.set(name, index);
    return index;
  }

  forget(name: string): void {
    this.known.delete(name);
  }
}

function execute(nl: NetlinkSocket, links: LinkIndexes, cmd: IpCommand): object | undefined {
  switch (cmd.op) {
    case 'add-bridge':
      nl.request(addBridge(cmd));
      return undefined;
    case 'add-veth':
      addVeth(nl, cmd);
      return undefined;
    case 'del-link':
      // As iproute2: the index by name first (a missing link is "Cannot find device"), then the delete.
      nl.request(new MessageBuilder(K.RTM_DELLINK, K.NLM_F_REQUEST | K.NLM_F_ACK).header(ifinfomsg(links.of(cmd.dev))).bytes());
      links.forget(cmd.dev);
      return undefined;
    case 'set-link':
      nl.request(setLink(links, cmd));
      return undefined;
    case 'addr':
      nl.request(changeAddress(links, cmd));
      return undefined;
    case 'add-route':
      nl.request(addRoute(links, cmd));
      return undefined;
    case 'show-link':
      return describeLink(nl, cmd.dev);
  }
}

const CREATE = K.NLM_F_REQUEST | K.NLM_F_ACK | K.NLM_F_CREATE | K.NLM_F_EXCL;

/** Name, MAC and MTU of a link being created. */
function linkBasics(m: MessageBuilder, l: { name: string; mac?: string; mtu?: number }): MessageBuilder {
  m.string(K.IFLA_IFNAME, l.name);
  if (l.mac !== undefined) m.attr(K.IFLA_ADDRESS, macBytes(l.mac)!);
  if (l.mtu !== undefined) m.u32(K.IFLA_MTU, l.mtu);
  return m;
}

function addBridge(cmd: Extract<IpCommand, { op: 'add-bridge' }>): Uint8Array {
  const m = linkBasics(new MessageBuilder(K.RTM_NEWLINK, CREATE).header(ifinfomsg(0)), cmd);
  m.nest(K.IFLA_LINKINFO).string(K.IFLA_INFO_KIND, 'bridge');
  if (cmd.vlanFiltering !== undefined) m.nest(K.IFLA_INFO_DATA).u8(K.IFLA_BR_VLAN_FILTERING, cmd.vlanFiltering ? 1 : 0).end();
  return m.end().bytes();
}

/** The pair in one request; the peer goes straight into its namespace, given as an open fd. */
function addVeth(nl: NetlinkSocket, cmd: Extract<IpCommand, { op: 'add-veth' }>): void {
  let nsFd: number | undefined;
  if (cmd.peer.netns !== undefined) {
    try {
      nsFd = openSync(cmd.peer.netns, 'r');
    } catch {
      throw invalidArgument(cmd.peer.netns, 'Invalid "netns" value\n');
    }
  }
  try {
    const m = linkBasics(new MessageBuilder(K.RTM_NEWLINK, CREATE).header(ifinfomsg(0)), cmd);
    m.nest(K.IFLA_LINKINFO).string(K.IFLA_INFO_KIND, 'veth').nest(K.IFLA_INFO_DATA).nest(K.VETH_INFO_PEER).header(ifinfomsg(0));
    linkBasics(m, cmd.peer);
    if (nsFd !== undefined) m.u32(K.IFLA_NET_NS_FD, nsFd);
    nl.request(m.end().end().end().bytes());
  } finally {
    if (nsFd !== undefined) closeSync(nsFd);
  }
}

function setLink(links: LinkIndexes, cmd: Extract<IpCommand, { op: 'set-link' }>): Uint8Array {
  let flags = 0;
  let change = 0;
  if (cmd.up !== undefined) {
    change |= K.IFF_UP;
    if (cmd.up) flags |= K.IFF_UP;
  }
  if (cmd.promisc !== undefined) {
    change |= K.IFF_PROMISC;
    if (cmd.promisc) flags |= K.IFF_PROMISC;
  }
  const index = links.of(cmd.dev);
  const m = new MessageBuilder(K.RTM_NEWLINK, K.NLM_F_REQUEST | K.NLM_F_ACK).header(ifinfomsg(index, flags, change));
  if (cmd.master !== undefined) m.u32(K.IFLA_MASTER, links.of(cmd.master, invalidArgument(cmd.master, 'Device does not exist\n')));
  if (cmd.mac !== undefined) m.attr(K.IFLA_ADDRESS, macBytes(cmd.mac)!);
  if (cmd.vlanFiltering !== undefined) {
    m.nest(K.IFLA_LINKINFO).string(K.IFLA_INFO_KIND, 'bridge').nest(K.IFLA_INFO_DATA).u8(K.IFLA_BR_VLAN_FILTERING, cmd.vlanFiltering ? 1 : 0).end().end();
  }
  if (cmd.port) {
    m.nest(K.IFLA_LINKINFO).string(K.IFLA_INFO_SLAVE_KIND, 'bridge').nest(K.IFLA_INFO_SLAVE_DATA);
    if (cmd.port.hairpin !== undefined) m.u8(K.IFLA_BRPORT_MODE, cmd.port.hairpin ? 1 : 0);
    if (cmd.port.isolated !== undefined) m.u8(K.IFLA_BRPORT_ISOLATED, cmd.port.isolated ? 1 : 0);
    m.end().end();
  }
  return m.bytes();
}

const family = (f: Family): number => (f === 4 ? K.AF_INET : K.AF_INET6);

/** iproute2's default address scope: host for loopback addresses, link for IPv6 link-local, else global. */
function defaultScope(a: Cidr): number {
  if (a.family === 4) return a.value >> 24n === 127n ? 254 : 0;
  if (a.value === 1n) return 254;
  return a.value >> 118n === 0x3fan ? 253 : 0;
}

function changeAddress(links: LinkIndexes, cmd: Extract<IpCommand, { op: 'addr' }>): Uint8Array {
  const type = cmd.action === 'del' ? K.RTM_DELADDR : K.RTM_NEWADDR;
  const flags = K.NLM_F_REQUEST | K.NLM_F_ACK | (cmd.action === 'add' ? K.NLM_F_CREATE | K.NLM_F_EXCL : cmd.action === 'replace' ? K.NLM_F_CREATE | K.NLM_F_REPLACE : 0);
  const scope = cmd.action === 'del' ? 0 : defaultScope(cmd.address);
  const header = ifaddrmsg(family(cmd.address.family), cmd.address.prefix, cmd.nodad ? K.IFA_F_NODAD : 0, scope, links.of(cmd.dev));
  const bytes = ipBytes(cmd.address);
  const m = new MessageBuilder(type, flags).header(header).attr(K.IFA_LOCAL, bytes).attr(K.IFA_ADDRESS, bytes);
  if (cmd.broadcast) m.attr(K.IFA_BROADCAST, ipBytes(cmd.broadcast));
  if (cmd.nodad) m.u32(K.IFA_FLAGS, K.IFA_F_NODAD);
  return m.bytes();
}

function addRoute(links: LinkIndexes, cmd: Extract<IpCommand, { op: 'add-route' }>): Uint8Array {
  const table = cmd.table ?? K.RT_TABLE_MAIN;
  // As iproute2: an IPv4 route without a gateway is on-link (scope link); anything else is global.
  const scope = cmd.scope ?? (cmd.dst.family === 4 && !cmd.via ? K.RT_SCOPE_LINK : K.RT_SCOPE_UNIVERSE);
  const header = new Uint8Array(K.RTMSG_LEN);
  const v = new DataView(header.buffer);
  v.setUint8(0, family(cmd.dst.family));
  v.setUint8(1, cmd.dst.prefix);
  v.setUint8(4, table < 256 ? table : 0);
  v.setUint8(5, K.RTPROT_BOOT);
  v.setUint8(6, scope);
  v.setUint8(7, K.RTN_UNICAST);
  const m = new MessageBuilder(K.RTM_NEWROUTE, CREATE).header(header);
  if (table >= 256) m.u32(K.RTA_TABLE, table);
  if (cmd.dst.prefix > 0) m.attr(K.RTA_DST, ipBytes(networkOf(cmd.dst)));
  if (cmd.via) m.attr(K.RTA_GATEWAY, ipBytes(cmd.via));
  m.u32(K.RTA_OIF, links.of(cmd.dev));
  if (cmd.metric !== undefined) m.u32(K.RTA_PRIORITY, cmd.metric);
  if (cmd.mtu !== undefined || cmd.advmss !== undefined) {
    m.nest(K.RTA_METRICS);
    if (cmd.mtu !== undefined) m.u32(K.RTAX_MTU, cmd.mtu);
    if (cmd.advmss !== undefined) m.u32(K.RTAX_ADVMSS, cmd.advmss);
    m.end();
  }
  return m.bytes();
}
