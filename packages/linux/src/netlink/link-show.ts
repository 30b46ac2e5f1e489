import * as K from './constants.ts';
import { NetlinkError, IpArgumentError } from './errors.ts';
import { formatMac } from '../ip/mac.ts';
import { formatIPBytes } from './address.ts';
import { ifaddrmsg, ifinfomsg } from './headers.ts';
import { MessageBuilder, parseAttrs, readI32, readString, readU32, readU8, type NetlinkMessage } from './message.ts';
import type { NetlinkSocket } from './socket.ts';

/**
 * One link with its addresses, as `ip -d -json addr show dev NAME` prints it: the fields that
 * ip/query.ts reads (parseLinks), with iproute2's names and value formats.
 */
export function describeLink(nl: NetlinkSocket, name: string): object {
  const link = getLink(nl, name);
  if (!link) throw new IpArgumentError(`Device "${name}" does not exist.`);
  const masterIndex = readU32(link.attrs.get(K.IFLA_MASTER));
  const master = masterIndex ? getLink(nl, masterIndex) : undefined;
  const peerIndex = readU32(link.attrs.get(K.IFLA_LINK));
  const linkInfo = link.attrs.get(K.IFLA_LINKINFO);
  const info = linkInfo ? parseAttrs(linkInfo) : undefined;
  const kind = readString(info?.get(K.IFLA_INFO_KIND));
  const data = info?.get(K.IFLA_INFO_DATA);
  const vlanFiltering = kind === 'bridge' && data ? readU8(parseAttrs(data).get(K.IFLA_BR_VLAN_FILTERING)) : undefined;
  const mac = link.attrs.get(K.IFLA_ADDRESS);
  return {
    ifindex: link.index,
    ifname: readString(link.attrs.get(K.IFLA_IFNAME)),
    flags: flagNames(link.flags),
    mtu: readU32(link.attrs.get(K.IFLA_MTU)),
    ...(master && { master: readString(master.attrs.get(K.IFLA_IFNAME)) }),
    operstate: OPERSTATES[readU8(link.attrs.get(K.IFLA_OPERSTATE)) ?? 0] ?? 'UNKNOWN',
    // As iproute2: a peer in another namespace (link_netnsid) may share this link's index.
    ...(peerIndex !== undefined && (peerIndex !== link.index || link.attrs.has(K.IFLA_LINK_NETNSID)) && { link_index: peerIndex }),
    ...(mac && { address: formatMac(mac) }),
    promiscuity: readU32(link.attrs.get(K.IFLA_PROMISCUITY)) ?? 0,
    ...(kind && { linkinfo: { info_kind: kind, ...(vlanFiltering !== undefined && { info_data: { vlan_filtering: vlanFiltering } }) } }),
    addr_info: addressesOf(nl, link.index),
  };
}

export interface Link {
  index: number;
  flags: number;
  attrs: Map<number, Uint8Array>;
}

/** A link by name or by ifindex; undefined when there is none. */
export function getLink(nl: NetlinkSocket, key: string | number): Link | undefined {
  const m = new MessageBuilder(K.RTM_GETLINK, K.NLM_F_REQUEST | K.NLM_F_ACK).header(ifinfomsg(typeof key === 'number' ? key : 0));
  if (typeof key === 'string') m.string(K.IFLA_IFNAME, key);
  let reply: NetlinkMessage | undefined;
  try {
    [reply] = nl.request(m.bytes());
  } catch (err) {
    if (err instanceof NetlinkError && err.errno === K.ENODEV) return undefined;
    throw err;
  }
  if (!reply) return undefined;
  return { index: readI32(reply.payload, 4), flags: readU32(reply.payload.subarray(8)) ?? 0, attrs: parseAttrs(reply.payload, K.IFINFOMSG_LEN) };
}

const SCOPES: Record<number, string> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };

/** Every address of one link (the kernel filters the dump by index; kept by index here too, for kernels that do not). */
function addressesOf(nl: NetlinkSocket, index: number): object[] {
  const replies = nl.request(new MessageBuilder(K.RTM_GETADDR, K.NLM_F_REQUEST | K.NLM_F_DUMP).header(ifaddrmsg(K.AF_UNSPEC, 0, 0, 0, index)).bytes());
  const out: object[] = [];
  for (const r of replies) {
    if (r.type !== K.RTM_NEWADDR || readU32(r.payload.subarray(4)) !== index) continue;
    const fam = r.payload[0];
    if (fam !== K.AF_INET && fam !== K.AF_INET6) continue;
    const attrs = parseAttrs(r.payload, K.IFADDRMSG_LEN);
    const local = attrs.get(K.IFA_LOCAL) ?? attrs.get(K.IFA_ADDRESS);
    if (!local) continue;
    out.push({
      family: fam === K.AF_INET ? 'inet' : 'inet6',
      local: formatIPBytes(fam === K.AF_INET ? 4 : 6, local),
      prefixlen: r.payload[1],
      scope: SCOPES[r.payload[3]!] ?? String(r.payload[3]),
    });
  }
  return out;
}

const OPERSTATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];

/** iproute2's names of link flags, in its order; NO-CARRIER when up without carrier. */
const FLAG_NAMES: Array<[number, string]> = [
  [0x8, 'LOOPBACK'], [0x2, 'BROADCAST'], [0x10, 'POINTOPOINT'], [0x1000, 'MULTICAST'], [0x80, 'NOARP'],
  [0x200, 'ALLMULTI'], [0x100, 'PROMISC'], [0x400, 'MASTER'], [0x800, 'SLAVE'], [0x4, 'DEBUG'],
  [0x8000, 'DYNAMIC'], [0x4000, 'AUTOMEDIA'], [0x2000, 'PORTSEL'], [0x20, 'NOTRAILERS'], [0x1, 'UP'],
  [0x10000, 'LOWER_UP'], [0x20000, 'DORMANT'], [0x40000, 'ECHO'],
];
const IFF_RUNNING = 0x40;

export function flagNames(flags: number): string[] {
  const names = flags & K.IFF_UP && !(flags & IFF_RUNNING) ? ['NO-CARRIER'] : [];
  for (const [bit, name] of FLAG_NAMES) if (flags & bit) names.push(name);
  return names;
}
