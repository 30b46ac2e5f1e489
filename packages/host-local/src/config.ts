import { capabilityArg, cniArg, CniError, ErrorCode, getInsensitive, invalidConfig, parseCniArgs, type CallContext, type DNS, type NetConf, type Route } from '@cni-ts/core';
import { formatIP, parseCidr, parseCidrOrIP, parseIP, type IP } from '@cni-ts/core/net/ip';
import { describeSet, parseRange, parseRangeSet, setsOverlap, type RangeSet } from './range.ts';
import { readResolvConf } from './resolv.ts';

export const DEFAULT_DATA_DIR = '/var/lib/cni/networks';

/** Where a network's reservations live: `<dataDir>/<name>`. */
export interface StoreLocation {
  name: string;
  dataDir: string;
}

/** An address the caller asked for, with where it came from (for messages). */
export interface RequestedIP {
  ip: IP;
  source: string;
}

export interface IpamConfig extends StoreLocation {
  rangeSets: RangeSet[];
  routes: Route[];
  dns?: DNS;
}

/** The `ipam` object of the config; host-local is an IPAM plugin, so its keys live there. */
function ipamSection(config: NetConf): Record<string, unknown> | undefined {
  return config.ipam as Record<string, unknown> | undefined;
}

/**
 * Only what is needed to find the state (DEL and GC): the network name and dataDir. A missing
 * `ipam` section means the defaults, so DEL still releases what an ADD with defaults reserved.
 */
export function parseStoreLocation(config: NetConf): StoreLocation {
  const dataDir = getInsensitive(ipamSection(config), 'dataDir');
  if (dataDir !== undefined && (typeof dataDir !== 'string' || dataDir === '')) {
    throw invalidConfig(`ipam.dataDir: must be a non-empty string path, got ${JSON.stringify(dataDir)}`);
  }
  // A relative path would resolve against whatever directory the runtime runs in.
  if (dataDir !== undefined && !dataDir.startsWith('/')) throw invalidConfig(`ipam.dataDir: must be an absolute path, got ${JSON.stringify(dataDir)}`);
  return { name: config.name, dataDir: dataDir ?? DEFAULT_DATA_DIR };
}

/**
 * The range sets, in the reference's order: runtimeConfig.ipRanges first, then the legacy
 * top-level range (`ipam.subnet`...), then `ipam.ranges`. Sets must not overlap one another.
 */
function parseRangeSets(config: NetConf, ipam: Record<string, unknown>): RangeSet[] {
  const sets: RangeSet[] = [];
  const runtimeRanges = capabilityArg(config.runtimeConfig, 'ipRanges');
  if (runtimeRanges !== undefined) {
    if (!Array.isArray(runtimeRanges)) throw invalidConfig('runtimeConfig.ipRanges: must be a list of range sets');
    runtimeRanges.forEach((s, i) => sets.push(parseRangeSet(s, `runtimeConfig.ipRanges[${i}]`)));
  }
  const legacySubnet = getInsensitive(ipam, 'subnet');
  if (legacySubnet !== undefined && legacySubnet !== '') sets.push([parseRange(ipam, 'ipam')]);
  const ranges = getInsensitive(ipam, 'ranges');
  if (ranges !== undefined) {
    if (!Array.isArray(ranges)) throw invalidConfig('ipam.ranges: must be a list of range sets (lists of {"subnet": ...})');
    ranges.forEach((s, i) => sets.push(parseRangeSet(s, `ipam.ranges[${i}]`)));
  }
  if (sets.length === 0) throw invalidConfig('ipam.ranges: no IP ranges specified (set "ranges" or "subnet")');
  for (let i = 0; i < sets.length; i++) {
    for (let j = 0; j < i; j++) {
      if (setsOverlap(sets[i]!, sets[j]!)) {
        throw invalidConfig(`ipam.ranges: range set ${i} (${describeSet(sets[i]!)}) overlaps range set ${j} (${describeSet(sets[j]!)})`);
      }
    }
  }
  return sets;
}

function parseRoutes(ipam: Record<string, unknown>): Route[] {
  const routes = getInsensitive(ipam, 'routes');
  if (routes === undefined || routes === null) return [];
  if (!Array.isArray(routes)) throw invalidConfig('ipam.routes: must be a list of {"dst": CIDR, "gw"?: IP}');
  return routes.map((r, i) => {
    const route = r as Record<string, unknown> | null;
    const dst = route && typeof route === 'object' ? getInsensitive(route, 'dst') : undefined;
    if (typeof dst !== 'string' || !parseCidr(dst)) throw invalidConfig(`ipam.routes[${i}].dst: ${JSON.stringify(dst)} is not a CIDR`);
    const gw = getInsensitive(route!, 'gw');
    if (gw !== undefined && gw !== '' && (typeof gw !== 'string' || !parseIP(gw))) {
      throw invalidConfig(`ipam.routes[${i}].gw: ${JSON.stringify(gw)} is not an IP address`);
    }
    return route as unknown as Route; // passed through as configured
  });
}

/** The full IPAM config for ADD, CHECK and STATUS. */
export function parseIpamConfig(config: NetConf): IpamConfig {
  const ipam = ipamSection(config);
  if (!ipam) throw invalidConfig('ipam: missing (host-local reads its settings from the "ipam" object)');
  const location = parseStoreLocation(config);
  const resolvConf = getInsensitive(ipam, 'resolvConf');
  if (resolvConf !== undefined && resolvConf !== '' && typeof resolvConf !== 'string') {
    throw invalidConfig(`ipam.resolvConf: must be a file path, got ${JSON.stringify(resolvConf)}`);
  }
  return {
    ...location,
    rangeSets: parseRangeSets(config, ipam),
    routes: parseRoutes(ipam),
    ...(typeof resolvConf === 'string' && resolvConf !== '' && { dns: readResolvConf(resolvConf, 'ipam.resolvConf') }),
  };
}

function requestedFromList(value: unknown, source: string, code: number): RequestedIP[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new CniError(code, `${source}: must be a list of IP addresses`);
  return value.map((v, i) => requestedFromText(v, `${source}[${i}]`, code));
}

function requestedFromText(text: unknown, source: string, code: number): RequestedIP {
  // An address may carry a prefix ("10.1.2.3/24"), as in the conventions; only the address counts.
  const cidr = parseCidrOrIP(typeof text === 'string' ? text.trim() : '');
  if (!cidr) throw new CniError(code, `${source}: ${JSON.stringify(text)} is not an IP address`);
  return { ip: { family: cidr.family, value: cidr.value }, source };
}

/**
 * Addresses the caller asked for, from every source the reference reads, combined and
 * de-duplicated: CNI_ARGS `IP=` (comma-separated), `args.cni.ips`, `runtimeConfig.ips`.
 */
export function requestedIPs(ctx: Pick<CallContext, 'cniArgs' | 'config'>): RequestedIP[] {
  const envArgs = parseCniArgs(ctx.cniArgs, ['IP']);
  const fromEnv = (envArgs.IP ?? '')
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => requestedFromText(s, 'CNI_ARGS IP', ErrorCode.InvalidEnvironment));
  const all = [
    ...fromEnv,
    ...requestedFromList(cniArg(ctx.config.args, 'ips'), 'args.cni.ips', ErrorCode.InvalidConfig),
    ...requestedFromList(capabilityArg(ctx.config.runtimeConfig, 'ips'), 'runtimeConfig.ips', ErrorCode.InvalidConfig),
  ];
  const seen = new Set<string>();
  return all.filter((r) => {
    const key = formatIP(r.ip);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
