import { getInsensitive, integerField, invalidConfig, listField, objectField, stringField, type Result } from '@cni-ts/core';
import { formatCidr, formatIP, networkOf, parseCidrOrIP, parseIP, type Family } from '@cni-ts/core/net/ip';

export type Protocol = 'tcp' | 'udp' | 'sctp';

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

/** A limit on size: absurd inputs are refused up front (code 7); below it cost grows linearly. */
export const MAX_PORT_MAPPINGS = 4096;

const port = (doc: string) => integerField(1, 65535, doc);

/** One entry of the portMappings capability; keys in any case (containerd sends HostPort). */
const PORT_MAPPING = objectField(
  {
    hostPort: port('The port on the node.'),
    containerPort: port('The port in the container.'),
    protocol: stringField('"tcp" (default), "udp" or "sctp", in any case.', { pattern: /^(?:[tT][cC][pP]|[uU][dD][pP]|[sS][cC][tT][pP])$/, patternName: 'one of tcp, udp, sctp' }),
    hostIP: stringField('Only this node address ("0.0.0.0" or "::": any of that family).', { patternName: 'an IP address' }),
  },
  'A port mapping.',
  { anyCase: true, required: ['hostPort', 'containerPort'] },
);
export const PORT_MAPPINGS = listField(PORT_MAPPING, MAX_PORT_MAPPINGS, 'Port mappings, added by the runtime (capability "portMappings").');

/** Normalise runtimeConfig.portMappings, whose shape the fields above checked already. */
export function parsePortMappings(raw: Array<Record<string, unknown>> | undefined): PortMapping[] {
  return (raw ?? []).map((entry, i) => {
    const mapping: PortMapping = {
      hostPort: getInsensitive(entry, 'hostPort') as number,
      containerPort: getInsensitive(entry, 'containerPort') as number,
      protocol: ((getInsensitive(entry, 'protocol') as string | undefined) ?? 'tcp').toLowerCase() as Protocol,
    };
    const hostIP = (getInsensitive(entry, 'hostIP') as string | undefined) ?? '';
    if (hostIP !== '') {
      const ip = parseIP(hostIP);
      if (!ip) throw invalidConfig(`runtimeConfig.portMappings[${i}].hostIP: ${JSON.stringify(hostIP)} is not an IP address`);
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
