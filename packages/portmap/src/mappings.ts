import { getInsensitive, invalidConfig, type Result } from '@cni-ts/core';
import { formatCidr, formatIP, networkOf, parseCidrOrIP, parseIP, type Family } from '@cni-ts/core/net/ip';

const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** One entry of the `portMappings` capability, validated and normalised. */
export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol: Protocol;
  /** Set when hostIP names an address family ("0.0.0.0" = any IPv4, "::" = any IPv6). */
  hostFamily?: Family;
  /** A specific host address to match (canonical form); absent for "any". */
  hostIP?: string;
}

/** The pod address one family's rules forward to. */
export interface ContainerTarget {
  family: Family;
  /** The pod's address, canonical. */
  ip: string;
  /** The pod's subnet ("10.22.0.0/16"): sources in it are masqueraded on hairpin. */
  subnet: string;
}

function port(entry: Record<string, unknown>, key: string, where: string): number {
  const v = getInsensitive(entry, key);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
    throw invalidConfig(`${where}.${key} must be an integer between 1 and 65535, got ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * Read runtimeConfig.portMappings. Keys are matched case-insensitively: containerd sends
 * HostPort/ContainerPort/Protocol/HostIP (Go's JSON decoding accepts any case).
 */
export function parsePortMappings(raw: unknown): PortMapping[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidConfig('runtimeConfig.portMappings must be a list');
  return raw.map((item, i) => {
    const where = `runtimeConfig.portMappings[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalidConfig(`${where} must be an object`);
    const entry = item as Record<string, unknown>;
    const proto = getInsensitive(entry, 'protocol') ?? 'tcp';
    if (typeof proto !== 'string' || !(PROTOCOLS as readonly string[]).includes(proto.toLowerCase())) {
      throw invalidConfig(`${where}.protocol must be one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(proto)}`);
    }
    const mapping: PortMapping = {
      hostPort: port(entry, 'hostPort', where),
      containerPort: port(entry, 'containerPort', where),
      protocol: proto.toLowerCase() as Protocol,
    };
    const hostIP = getInsensitive(entry, 'hostIP') ?? '';
    if (typeof hostIP !== 'string') throw invalidConfig(`${where}.hostIP must be a string`);
    if (hostIP !== '') {
      const ip = parseIP(hostIP);
      if (!ip) throw invalidConfig(`${where}.hostIP is not an IP address: ${JSON.stringify(hostIP)}`);
      mapping.hostFamily = ip.family;
      if (ip.value !== 0n) mapping.hostIP = formatIP(ip);
    }
    return mapping;
  });
}

/** The mappings that apply to one family: a hostIP of the other family is skipped. */
export function mappingsFor(family: Family, mappings: readonly PortMapping[]): PortMapping[] {
  return mappings.filter((m) => m.hostFamily === undefined || m.hostFamily === family);
}

/**
 * The first IPv4 and first IPv6 address of the sandbox interface `ifName` in prevResult. An
 * address whose interface index names another interface, or a host-side one, is skipped; an
 * address without an index counts (IPAM-style results).
 */
export function containerTargets(prev: Result, ifName: string): ContainerTarget[] {
  const targets: ContainerTarget[] = [];
  for (const ip of prev.ips ?? []) {
    if (ip.interface !== undefined) {
      const iface = prev.interfaces?.[ip.interface];
      if (iface && (iface.name !== ifName || !iface.sandbox)) continue;
    }
    const addr = parseCidrOrIP(ip.address);
    if (!addr || targets.some((t) => t.family === addr.family)) continue;
    targets.push({ family: addr.family, ip: formatIP(addr), subnet: formatCidr(networkOf(addr)) });
  }
  return targets;
}
