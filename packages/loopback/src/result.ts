import { CniError, CURRENT_VERSION, ErrorCode, type IPConfig, type Result } from '@cni-ts/core';
import { parseIP, type IP } from '@cni-ts/core/net/ip';
import type { LinkState } from '@cni-ts/linux/ip/query';
import { LOOPBACK } from './lo.ts';

/** The kernel gives lo no hardware address; the reference reports it as zeros. */
const NO_MAC = '00:00:00:00:00:00';

/**
 * ADD's result: `lo` in its sandbox with the first IPv4 and the first IPv6 address the kernel
 * lists on it (127.0.0.1/8, and ::1/128 where IPv6 is enabled in the namespace). Every address
 * on lo must be a loopback address, or lo is not what a container expects and ADD fails.
 */
export function loopbackResult(lo: LinkState, netns: string): Result {
  for (const a of lo.addrs) {
    if (!isLoopbackAddress(parseIP(a.local))) throw new CniError(ErrorCode.Internal, `loopback interface found with non-loopback address "${a.local}"`);
  }
  const first = (family: 4 | 6): IPConfig[] => {
    const a = lo.addrs.find((x) => x.family === family);
    return a ? [{ interface: 0, address: `${a.local}/${a.prefixlen}` }] : [];
  };
  const ips = [...first(4), ...first(6)];
  return {
    cniVersion: CURRENT_VERSION,
    interfaces: [{ name: LOOPBACK, mac: NO_MAC, sandbox: netns }],
    ...(ips.length > 0 && { ips }),
  };
}

const V4_MAPPED = 0xffffn << 32n;

/** 127.0.0.0/8, ::1, and 127/8 written as an IPv4-mapped IPv6 address (Go's IsLoopback). */
export function isLoopbackAddress(ip: IP | undefined): boolean {
  if (!ip) return false;
  if (ip.family === 4) return ip.value >> 24n === 127n;
  if (ip.value === 1n) return true;
  return ip.value >> 32n === V4_MAPPED >> 32n && (ip.value & 0xffffffffn) >> 24n === 127n;
}
