import { booleanField, capabilityArg, cniArg, CniError, ErrorCode, integerField, invalidConfig, listField, NETCONF_FIELDS, objectField, parseCniArgs, PLUGIN_NAME, readFields, stringField, type ConfigEntry, type DNS, type Fields, type NetConf } from '@cni-ts/core';
import { isMulticastMac, isZeroMac, normalizeMac } from '@cni-ts/linux/ip/mac';

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

/** A link name as validateIfName allows it: 1-15 characters, none of "/", ":", whitespace or script specials, not "." or "..". */
const LINK_NAME = /^(?!\.\.?$)[^/:\s;#"'\\{}$\x00-\x1f\x7f]{1,15}$/;
const vlanId = (doc: string) => integerField(1, 4094, doc);

/** bridge's own keys (on top of every config's): what the parser reads and schemas/bridge.schema.json says. */
export const BRIDGE_FIELDS = {
  bridge: stringField('The bridge to create or use (default "cni0").', { pattern: LINK_NAME, patternName: 'a link name (1-15 characters, no "/", ":", whitespace, ; # quotes \\ { } $)' }),
  isGateway: booleanField('Give the bridge the gateway address of each range and route through it.'),
  isDefaultGateway: booleanField('Like isGateway, and add a default route in the container through the bridge.'),
  forceAddress: booleanField('Replace an address of the same family the bridge already has.'),
  ipMasq: booleanField('Masquerade traffic from the container to outside its subnet.'),
  ipMasqBackend: stringField('The firewall for ipMasq (default: iptables when usable, else nftables).', { enum: ['iptables', 'nftables'] }),
  mtu: integerField(0, 65535, 'MTU of the veth pair and the bridge (0: the kernel default); at least 68.'),
  hairpinMode: booleanField('Let the container reach itself through the bridge (hairpin on its port).'),
  promiscMode: booleanField('Put the bridge in promiscuous mode (not with hairpinMode).'),
  vlan: integerField(0, 4094, 'The container port\'s VLAN ID (0: none).'),
  vlanTrunk: listField(
    objectField({ id: vlanId('One tagged VLAN ID.'), minID: vlanId('First VLAN ID of a range.'), maxID: vlanId('Last VLAN ID of a range.') }, 'One VLAN ID or a range of them.'),
    4094,
    'Tagged VLANs of a trunk port.',
  ),
  preserveDefaultVlan: booleanField('Keep VLAN 1 on the container port when vlan is set.'),
  macspoofchk: booleanField('Drop frames from the container whose source MAC is not its own.'),
  enabledad: booleanField('Run IPv6 duplicate address detection on the container interface.'),
  disableContainerInterface: booleanField('Leave the container interface down (not with IPAM).'),
  portIsolation: booleanField('Isolate the container\'s bridge port from other isolated ports.', true),
  ipam: objectField({ type: stringField('The IPAM plugin executable (e.g. "host-local").', { pattern: PLUGIN_NAME, patternName: 'a plugin executable name' }) }, 'IPAM settings: "type" names the IPAM plugin, which reads the rest; {} for none.', { open: true }),
} satisfies Fields;

export function parseConfig(conf: NetConf, cniArgs: string): BridgeConfig {
  const f = readFields(conf, { ...NETCONF_FIELDS, ...BRIDGE_FIELDS });
  const mtu = f.mtu;
  if (mtu !== undefined && mtu !== 0 && mtu < 68) throw invalidConfig(`mtu: ${mtu} is below the minimum of 68`);
  const vlan = f.vlan ?? 0;
  const vlanTrunk = parseTrunk(f.vlanTrunk ?? []);
  if (vlan !== 0 && vlanTrunk.includes(vlan)) throw invalidConfig(`vlan: ${vlan} is also listed in vlanTrunk`);
  if (f.hairpinMode && f.promiscMode) throw invalidConfig('hairpinMode and promiscMode cannot both be true: choose one');
  const ipamType = parseIpamType(conf.ipam);
  if (f.disableContainerInterface && ipamType !== undefined) {
    throw invalidConfig('disableContainerInterface cannot be used with IPAM: the container interface stays down, so addresses could not be used');
  }
  return {
    name: conf.name,
    bridge: f.bridge ?? 'cni0',
    isGateway: !!(f.isGateway || f.isDefaultGateway),
    isDefaultGateway: !!f.isDefaultGateway,
    forceAddress: !!f.forceAddress,
    ipMasq: !!f.ipMasq,
    ipMasqBackend: f.ipMasqBackend as MasqBackend | undefined,
    mtu: mtu === 0 ? undefined : mtu,
    hairpinMode: !!f.hairpinMode,
    promiscMode: !!f.promiscMode,
    vlan,
    vlanTrunk,
    preserveDefaultVlan: !!f.preserveDefaultVlan,
    macspoofchk: !!f.macspoofchk,
    enableDad: !!f.enabledad,
    disableContainerInterface: !!f.disableContainerInterface,
    portIsolation: !!f.portIsolation,
    ipamType,
    mac: parseMac(conf, cniArgs),
    dns: parseDns(conf.dns),
  };
}

/** The trunk's VLAN IDs, ranges expanded, sorted (the fields checked each ID already). */
function parseTrunk(trunk: Array<Record<string, unknown>>): number[] {
  const ids = new Set<number>();
  trunk.forEach((t, i) => {
    const { id, minID, maxID } = t as { id?: number; minID?: number; maxID?: number };
    if (id !== undefined) ids.add(id);
    if (minID !== undefined || maxID !== undefined) {
      if (minID === undefined || maxID === undefined) throw invalidConfig(`vlanTrunk[${i}]: a range needs both minID and maxID`);
      if (minID > maxID) throw invalidConfig(`vlanTrunk[${i}]: minID ${minID} is greater than maxID ${maxID}`);
      for (let v = minID; v <= maxID; v++) ids.add(v);
    }
    if (id === undefined && minID === undefined && maxID === undefined) throw invalidConfig(`vlanTrunk[${i}]: needs "id" or "minID" and "maxID"`);
  });
  return [...ids].sort((a, b) => a - b);
}

/**
 * `"ipam": {}` (or no ipam) is L2 mode; otherwise "type" names the IPAM plugin (the fields checked
 * its spelling). Settings without a type would be silently ignored, so they are refused.
 */
function parseIpamType(ipam: NetConf['ipam']): string | undefined {
  if (ipam === undefined || ipam === null || Object.keys(ipam).length === 0) return undefined;
  if (ipam.type === undefined || ipam.type === null) throw invalidConfig('ipam.type: missing (name the IPAM plugin, e.g. "host-local", or use "ipam": {} for none)');
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
  const code = source === 'CNI_ARGS MAC' ? ErrorCode.InvalidEnvironment : ErrorCode.InvalidConfig;
  if (!mac) throw new CniError(code, `${source}: ${JSON.stringify(raw)} is not a MAC address (expected aa:bb:cc:dd:ee:ff)`);
  if (isZeroMac(mac)) throw new CniError(code, `${source}: ${mac} is all zeros, not an interface address`);
  if (isMulticastMac(mac)) throw new CniError(code, `${source}: ${mac} is a multicast address, not usable by an interface`);
  return mac;
}

/** The config's DNS (the fields checked its shape); when set it replaces IPAM's. */
function parseDns(raw: DNS | undefined): DNS | undefined {
  if (raw === undefined || raw === null) return undefined;
  const dns: DNS = {};
  if (raw.nameservers) dns.nameservers = raw.nameservers;
  if (raw.domain) dns.domain = raw.domain;
  if (raw.search) dns.search = raw.search;
  if (raw.options) dns.options = raw.options;
  return Object.keys(dns).length > 0 ? dns : undefined;
}

export const CONFIG_ENTRY: ConfigEntry = { fields: BRIDGE_FIELDS, parse: (conf, cniArgs) => void parseConfig(conf, cniArgs) };
