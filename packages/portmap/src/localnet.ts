import { readFileSync, writeFileSync } from 'node:fs';
import { parseIP } from '@cni-ts/core/net/ip';

/** The few host files portmap touches, behind an interface so tests can fake them. */
export interface HostFiles {
  read(path: string): string | undefined;
  write(path: string, data: string): void;
}

export const procFiles: HostFiles = {
  read(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  write(path, data) {
    writeFileSync(path, data);
  },
};

const leToIp = (hex: string): number => {
  const n = parseInt(hex, 16);
  // /proc/net/route prints addresses in host (little-endian) byte order.
  return (((n & 0xff) << 24) | ((n >>> 8) & 0xff) << 16 | ((n >>> 16) & 0xff) << 8 | (n >>> 24)) >>> 0;
};

/** The interface the main routing table sends `ip` out of (longest prefix, then lowest metric). */
export function routeInterface(routeTable: string, ip: string): string | undefined {
  const parsed = parseIP(ip);
  if (parsed?.family !== 4) return undefined; // /proc/net/route is the IPv4 table
  const addr = Number(parsed.value);
  let best: { iface: string; bits: number; metric: number } | undefined;
  for (const line of routeTable.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, , , , , metric, mask] = f as [string, string, string, string, string, string, string, string];
    const m = leToIp(mask);
    if (((addr & m) >>> 0) !== leToIp(dest)) continue;
    const bits = m.toString(2).replace(/0/g, '').length;
    const cand = { iface, bits, metric: Number(metric) };
    if (!best || bits > best.bits || (bits === best.bits && cand.metric < best.metric)) best = cand;
  }
  return best?.iface;
}

/**
 * Let 127.0.0.1:hostPort reach the pod: DNAT keeps the loopback source, and the kernel drops
 * such packets on a real interface unless route_localnet is set on the interface that routes
 * to the pod (the bridge). Set once; an already-set flag costs one read.
 */
export function enableRouteLocalnet(files: HostFiles, containerIp: string): string | undefined {
  const iface = routeInterface(files.read('/proc/net/route') ?? '', containerIp);
  if (!iface || !/^[^/]{1,15}$/.test(iface)) return undefined;
  const path = `/proc/sys/net/ipv4/conf/${iface}/route_localnet`;
  if (files.read(path)?.trim() !== '1') files.write(path, '1');
  return iface;
}
