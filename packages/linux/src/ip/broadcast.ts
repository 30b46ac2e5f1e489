import { formatIP, lastOf, type Cidr } from '@cni-ts/core/net/ip';

/**
 * `broadcast <address>` for an `addr add`: the reference plugins' netlink library gives every
 * IPv4 address of a /30 or larger subnet its subnet's broadcast address (a /31 or /32 has none,
 * RFC 3021), which `ip addr` shows as `brd` and SIOCGIFBRDADDR returns. IPv6 has no broadcast.
 */
export function broadcastArgs(a: Cidr): string[] {
  return a.family === 4 && a.prefix < 31 ? ['broadcast', formatIP(lastOf(a))] : [];
}
