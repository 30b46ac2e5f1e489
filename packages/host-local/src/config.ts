import { capabilityArg, cniArg, CniError, ErrorCode, getInsensitive, integerField, invalidConfig, listField, objectField, parseCniArgs, readValue, stringField, type CallContext, type ConfigEntry, type DNS, type Fields, type NetConf, type Route } from '@cni-ts/core';
import { formatIP, parseCidr, parseCidrOrIP, parseIP, type IP } from '@cni-ts/core/net/ip';
import { describeSet, overlappingSets, parseRange, parseRangeSet, type RangeSet } from './range.ts';
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

/** Absurd sizes are refused up front (code 7); below them the cost of parsing grows linearly. */
export const MAX_RANGE_SETS = 256;
export const MAX_RANGES_PER_SET = 256;
export const MAX_ROUTES = 1024;

const address = (doc: string) => stringField(doc, { patternName: 'an IP address' });
const RANGE_FIELDS = {
  subnet: stringField('The subnet to allocate from (CIDR, e.g. "10.22.0.0/16").', { patternName: 'a CIDR' }),
  rangeStart: address('First address handed out (default: the subnet\'s first host).'),
  rangeEnd: address('Last address handed out (default: the last host, broadcast excluded).'),
  gateway: address('Gateway address, never handed out (default: the first host).'),
} satisfies Fields;
const range = objectField(RANGE_FIELDS, 'One range: a subnet and optional bounds.', { anyCase: true, required: ['subnet'] });
/** A list of range sets: one address is allocated from each set. */
export const RANGE_SETS = listField(listField(range, MAX_RANGES_PER_SET, 'A range set: ranges of one address family.', 1), MAX_RANGE_SETS, 'Range sets.');

const integer = (doc: string) => integerField(0, 2 ** 31 - 1, doc);
const ROUTE = objectField(
  {
    dst: stringField('Destination (CIDR; "0.0.0.0/0" for a default route).', { patternName: 'a CIDR' }),
    gw: address('Next hop (default: the gateway of the range).'),
    mtu: integer('Route MTU.'),
    advmss: integer('Advertised MSS.'),
    priority: integer('Route metric.'),
    table: integer('Routing table.'),
    scope: integer('Route scope.'),
  },
  'A route to add in the container.',
  { anyCase: true, required: ['dst'] },
);

/** host-local's keys, which live in the config's `ipam` object (schemas/host-local.schema.json). */
export const HOST_LOCAL_FIELDS = {
  type: stringField('"host-local".', { enum: ['host-local'] }),
  // Absolute only: a relative path would resolve against whatever directory the runtime runs in.
  dataDir: stringField('Where reservations are stored (default /var/lib/cni/networks).', { minLength: 1, pattern: /^\//, patternName: 'an absolute path' }),
  resolvConf: stringField('A resolv.conf whose settings become the result\'s DNS.'),
  ranges: { ...RANGE_SETS, doc: 'Range sets: one address is allocated from each (e.g. one IPv4 and one IPv6 set).' },
  routes: listField(ROUTE, MAX_ROUTES, 'Routes for the container.'),
  ...RANGE_FIELDS,
} satisfies Fields;
const IPAM = objectField(HOST_LOCAL_FIELDS, 'host-local\'s settings.', { anyCase: true });

/** The `ipam` object of the config; host-local is an IPAM plugin, so its keys live there. */
function ipamSection(config: NetConf): Record<string, unknown> | undefined {
  return config.ipam ?? undefined;
}

/**
 * Only what is needed to find the state (DEL and GC): the network name and dataDir. A missing
 * `ipam` section means the defaults, so DEL still releases what an ADD with defaults reserved.
 */
export function parseStoreLocation(config: NetConf): StoreLocation {
  const raw = getInsensitive(ipamSection(config), 'dataDir');
  const dataDir = raw === undefined || raw === null ? undefined : readValue(raw, HOST_LOCAL_FIELDS.dataDir, 'ipam.dataDir');
  return { name: config.name, dataDir: dataDir ?? DEFAULT_DATA_DIR };
}

/**
 * The range sets, in the reference's order: runtimeConfig.ipRanges first, then the legacy
 * top-level range (`ipam.subnet`...), then `ipam.ranges`. Sets must not overlap one another.
 */
function parseRangeSets(config: NetConf, ipam: Record<string, unknown>): RangeSet[] {
  const sets: RangeSet[] = [];
  const runtimeRanges = capabilityArg(config.runtimeConfig, 'ipRanges');
  if (runtimeRanges !== undefined && runtimeRanges !== null) {
    readValue(runtimeRanges, RANGE_SETS, 'runtimeConfig.ipRanges').forEach((s, i) => sets.push(parseRangeSet(s, `runtimeConfig.ipRanges[${i}]`)));
  }
  const legacySubnet = getInsensitive(ipam, 'subnet');
  if (legacySubnet !== undefined && legacySubnet !== '') sets.push([parseRange(ipam, 'ipam')]);
  const ranges = getInsensitive(ipam, 'ranges') as unknown[][] | undefined;
  ranges?.forEach((s, i) => sets.push(parseRangeSet(s, `ipam.ranges[${i}]`)));
  if (sets.length === 0) throw invalidConfig('ipam.ranges: no IP ranges specified (set "ranges" or "subnet")');
  if (sets.length > MAX_RANGE_SETS) throw invalidConfig(`ipam.ranges: ${sets.length} range sets with runtimeConfig.ipRanges, at most ${MAX_RANGE_SETS}`);
  const overlap = overlappingSets(sets);
  if (overlap) {
    const [i, j] = overlap;
    throw invalidConfig(`ipam.ranges: range set ${i} (${describeSet(sets[i]!)}) overlaps range set ${j} (${describeSet(sets[j]!)})`);
  }
  return sets;
}

/** Routes as configured (the fields checked their shape; the addresses are checked here). */
function parseRoutes(ipam: Record<string, unknown>): Route[] {
  const routes = (getInsensitive(ipam, 'routes') ?? []) as Array<Record<string, unknown>>;
  return routes.map((route, i) => {
    const dst = getInsensitive(route, 'dst') as string;
    if (!parseCidr(dst)) throw invalidConfig(`ipam.routes[${i}].dst: ${JSON.stringify(dst)} is not a CIDR`);
    const gw = getInsensitive(route, 'gw') as string | undefined;
    if (gw !== undefined && gw !== '' && !parseIP(gw)) throw invalidConfig(`ipam.routes[${i}].gw: ${JSON.stringify(gw)} is not an IP address`);
    return route as unknown as Route; // passed through as configured
  });
}

/** The full IPAM config for ADD, CHECK and STATUS. */
export function parseIpamConfig(config: NetConf): IpamConfig {
  const section = ipamSection(config);
  if (!section) throw invalidConfig('ipam: missing (host-local reads its settings from the "ipam" object)');
  const ipam = readValue(section, IPAM, 'ipam');
  const location = parseStoreLocation(config);
  const resolvConf = getInsensitive(ipam, 'resolvConf');
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

/** ADD's checks: the ipam section, and the addresses asked for in CNI_ARGS, args and runtimeConfig. */
export const CONFIG_ENTRY: ConfigEntry = {
  fields: HOST_LOCAL_FIELDS,
  section: 'ipam',
  parse: (config, cniArgs) => {
    parseIpamConfig(config);
    requestedIPs({ config, cniArgs });
  },
};
