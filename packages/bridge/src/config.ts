import { capabilityArg, cniArg, CniError, ErrorCode, invalidConfig, parseCniArgs, validateIfName, type DNS, type NetConf } from '@cni-ts/core';
import { normalizeMac, isMulticastMac } from '@cni-ts/linux/ip/mac';

export type MasqBackend = 'iptables' | 'nftables';

/** The bridge plugin's config, parsed and checked once before any side effect. */
export interface BridgeConfig {
  name: string;
  bridge: string;
  isGateway: boolean;
  isDefaultGateway: boolean;
  forceAddress: boolean;
  ipMasq: boolean;
  /** Undefined: detect (iptables when usable, else nftables). */
  ipMasqBackend: MasqBackend | undefined;
  mtu: number | undefined;
  hairpinMode: boolean;
  promiscMode: boolean;
  vlan: number;
  /** Tagged VLAN IDs of a trunk port, expanded from ranges. */
  vlanTrunk: number[];
  preserveDefaultVlan: boolean;
  macspoofchk: boolean;
  enableDad: boolean;
  disableContainerInterface: boolean;
  portIsolation: boolean;
  /** IPAM plugin type; undefined means L2 mode (no addresses). */
  ipamType: string | undefined;
  /** Container MAC requested by runtimeConfig.mac, args.cni.mac or CNI_ARGS MAC (that order). */
  mac: string | undefined;
  /** DNS from the config; when set it replaces IPAM's. */
  dns: DNS | undefined;
}

const BOOL_KEYS = [
  'isGateway',
  'isDefaultGateway',
  'forceAddress',
  'ipMasq',
  'hairpinMode',
  'promiscMode',
  'preserveDefaultVlan',
  'macspoofchk',
  'enabledad',
  'disableContainerInterface',
] as const;

export function parseConfig(conf: NetConf, cniArgs: string): BridgeConfig {
  const bools = Object.fromEntries(BOOL_KEYS.map((k) => [k, optionalBool(conf, k)])) as Record<(typeof BOOL_KEYS)[number], boolean>;
  const bridge = conf.bridge === undefined || conf.bridge === '' ? 'cni0' : conf.bridge;
  if (typeof bridge !== 'string') throw invalidConfig('"bridge" must be a string (a link name such as "cni0")');
  try {
    validateIfName(bridge);
  } catch (err) {
    throw invalidConfig(`"bridge": ${(err as Error).message.replace(/^invalid CNI_IFNAME /, 'invalid link name ')}`);
  }
  const mtu = optionalInt(conf, 'mtu', 0, 65535);
  if (mtu !== undefined && mtu !== 0 && mtu < 68) throw invalidConfig(`"mtu" ${mtu} is below the minimum of 68`);
  const vlan = optionalInt(conf, 'vlan', 0, 4094) ?? 0;
  const vlanTrunk = parseTrunk(conf.vlanTrunk);
  if (vlan !== 0 && vlanTrunk.includes(vlan)) throw invalidConfig(`"vlan" ${vlan} is also listed in "vlanTrunk"`);
  const backend = conf.ipMasqBackend;
  if (backend !== undefined && backend !== '' && backend !== 'iptables' && backend !== 'nftables') {
    throw invalidConfig(`"ipMasqBackend" must be "iptables" or "nftables", not ${JSON.stringify(backend)}`);
  }
  if (bools.hairpinMode && bools.promiscMode) {
    throw invalidConfig('"hairpinMode" and "promiscMode" cannot both be true: choose one');
  }
  const ipamType = parseIpamType(conf);
  if (bools.disableContainerInterface && ipamType !== undefined) {
    throw invalidConfig('"disableContainerInterface" cannot be used with IPAM: the container interface stays down, so addresses could not be used');
  }
  return {
    name: conf.name,
    bridge,
    isGateway: bools.isGateway || bools.isDefaultGateway,
    isDefaultGateway: bools.isDefaultGateway,
    forceAddress: bools.forceAddress,
    ipMasq: bools.ipMasq,
    ipMasqBackend: backend === 'iptables' || backend === 'nftables' ? backend : undefined,
    mtu: mtu === 0 ? undefined : mtu,
    hairpinMode: bools.hairpinMode,
    promiscMode: bools.promiscMode,
    vlan,
    vlanTrunk,
    preserveDefaultVlan: bools.preserveDefaultVlan,
    macspoofchk: bools.macspoofchk,
    enableDad: bools.enabledad,
    disableContainerInterface: bools.disableContainerInterface,
    portIsolation: parsePortIsolation(conf.portIsolation),
    ipamType,
    mac: parseMac(conf, cniArgs),
    dns: parseDns(conf.dns),
  };
}

function optionalBool(conf: NetConf, key: string): boolean {
  const v = conf[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw invalidConfig(`"${key}" must be true or false, not ${JSON.stringify(v)}`);
  return v;
}

/** The reference documents `"portIsolation": "true"`; accept that spelling as well as booleans. */
function parsePortIsolation(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw invalidConfig(`"portIsolation" must be true or false, not ${JSON.stringify(v)}`);
}

function optionalInt(conf: NetConf, key: string, min: number, max: number): number | undefined {
  const v = conf[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalidConfig(`"${key}" must be an integer from ${min} to ${max}, not ${JSON.stringify(v)}`);
  }
  return v;
}

function parseTrunk(raw: unknown): number[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidConfig('"vlanTrunk" must be a list of {"id": N} or {"minID": A, "maxID": B}');
  const ids = new Set<number>();
  const vid = (v: unknown, where: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 4094) {
      throw invalidConfig(`"vlanTrunk"[${where}] must be a VLAN ID from 1 to 4094, not ${JSON.stringify(v)}`);
    }
    return v;
  };
  raw.forEach((item: unknown, i) => {
    if (typeof item !== 'object' || item === null) throw invalidConfig(`"vlanTrunk"[${i}] must be an object`);
    const t = item as { id?: unknown; minID?: unknown; maxID?: unknown };
    if (t.id !== undefined) ids.add(vid(t.id, `${i}.id`));
    if (t.minID !== undefined || t.maxID !== undefined) {
      const lo = vid(t.minID, `${i}.minID`);
      const hi = vid(t.maxID, `${i}.maxID`);
      if (lo > hi) throw invalidConfig(`"vlanTrunk"[${i}]: minID ${lo} is greater than maxID ${hi}`);
      for (let v = lo; v <= hi; v++) ids.add(v);
    }
    if (t.id === undefined && t.minID === undefined && t.maxID === undefined) {
      throw invalidConfig(`"vlanTrunk"[${i}] needs "id" or "minID" and "maxID"`);
    }
  });
  return [...ids].sort((a, b) => a - b);
}

/** `"ipam": {}` (or no ipam) is L2 mode; otherwise "type" names the IPAM plugin. */
function parseIpamType(conf: NetConf): string | undefined {
  const ipam = conf.ipam;
  if (ipam === undefined || Object.keys(ipam).length === 0) return undefined;
  if (ipam.type === undefined || ipam.type === '') return undefined;
  if (typeof ipam.type !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.\-]*$/.test(ipam.type)) {
    throw invalidConfig(`"ipam.type" must be a plugin name, not ${JSON.stringify(ipam.type)}`);
  }
  return ipam.type;
}

function parseMac(conf: NetConf, cniArgs: string): string | undefined {
  const fromRuntime = capabilityArg(conf.runtimeConfig, 'mac');
  const fromArgs = cniArg(conf.args, 'mac');
  let source = 'runtimeConfig.mac';
  let raw: unknown = fromRuntime;
  if (raw === undefined || raw === '') [source, raw] = ['args.cni.mac', fromArgs];
  if (raw === undefined || raw === '') {
    const args = parseCniArgs(cniArgs, ['MAC', 'IP', 'K8S_POD_NAMESPACE', 'K8S_POD_NAME', 'K8S_POD_INFRA_CONTAINER_ID', 'K8S_POD_UID']);
    [source, raw] = ['CNI_ARGS MAC', args.MAC];
  }
  if (raw === undefined || raw === '') return undefined;
  const mac = typeof raw === 'string' ? normalizeMac(raw) : undefined;
  if (!mac) {
    const code = source === 'CNI_ARGS MAC' ? ErrorCode.InvalidEnvironment : ErrorCode.InvalidConfig;
    throw new CniError(code, `${source}: ${JSON.stringify(raw)} is not a MAC address (expected aa:bb:cc:dd:ee:ff)`);
  }
  if (isMulticastMac(mac)) throw new CniError(ErrorCode.InvalidConfig, `${source}: ${mac} is a multicast address, not usable by an interface`);
  return mac;
}

function parseDns(raw: unknown): DNS | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidConfig('"dns" must be an object');
  const d = raw as Record<string, unknown>;
  const list = (k: string): string[] | undefined => {
    const v = d[k];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalidConfig(`"dns.${k}" must be a list of strings`);
    return v as string[];
  };
  if (d.domain !== undefined && typeof d.domain !== 'string') throw invalidConfig('"dns.domain" must be a string');
  const dns: DNS = {};
  const nameservers = list('nameservers');
  const search = list('search');
  const options = list('options');
  if (nameservers) dns.nameservers = nameservers;
  if (typeof d.domain === 'string' && d.domain !== '') dns.domain = d.domain;
  if (search) dns.search = search;
  if (options) dns.options = options;
  return Object.keys(dns).length > 0 ? dns : undefined;
}
