import { invalidConfig, listField, NETCONF_FIELDS, objectField, PLUGIN_NAME, readFields, stringField, type ConfigEntry, type Fields, type NetConf } from '@cni-ts/core';

export const DEFAULT_SUBNET_FILE = '/run/flannel/subnet.env';
export const DEFAULT_DATA_DIR = '/var/lib/cni/flannel';

/** The flannel plugin's own config, checked once before any side effect. */
export interface FlannelConf {
  name: string;
  /**
   * Copied to the delegate when set. (The dispatcher reads a config without one as 0.1.0, so
   * through a plugin call the delegate always gets one; 0.1.0 is what it would assume anyway.)
   */
  cniVersion?: string;
  subnetFile: string;
  dataDir: string;
  /** Keys that override the generated delegate config (`type`, `hairpinMode`, ...). */
  delegate: Record<string, unknown>;
  /** The base of the delegate's `ipam` section (e.g. a host-local `dataDir`). */
  ipam: Record<string, unknown>;
  /** User routes from `ipam.routes`, kept before the flannel network routes. */
  routes: Array<Record<string, unknown>>;
  runtimeConfig?: Record<string, unknown>;
}

const ABSOLUTE_PATH = { pattern: /^(\/.*)?$/, patternName: 'an absolute path' };

/** A limit on size: absurd inputs are refused up front (code 7). */
export const MAX_ROUTES = 1024;

/** flannel's own keys: what the parser reads and schemas/flannel.schema.json says. */
export const FLANNEL_FIELDS = {
  // Absolute paths only (or empty: the default): a relative one would resolve against whatever
  // directory the runtime runs in.
  subnetFile: stringField(`flanneld's subnet.env (default ${DEFAULT_SUBNET_FILE}).`, ABSOLUTE_PATH),
  dataDir: stringField(`Where the delegate config of each attachment is saved for DEL (default ${DEFAULT_DATA_DIR}).`, ABSOLUTE_PATH),
  delegate: objectField(
    { type: stringField('The delegate plugin (default "bridge").', { pattern: PLUGIN_NAME, patternName: 'a plugin executable name' }) },
    'Keys for the generated delegate config (e.g. "hairpinMode"); not "name" or "ipam".',
    { open: true },
  ),
  ipam: objectField(
    { routes: listField(objectField({ dst: stringField('Destination (CIDR).') }, 'A route.', { open: true, required: ['dst'] }), MAX_ROUTES, 'Routes kept before flannel\'s own.') },
    'The base of the delegate\'s ipam section (e.g. a host-local dataDir); flannel adds the ranges.',
    { open: true },
  ),
} satisfies Fields;

export function parseFlannelConf(conf: NetConf): FlannelConf {
  const f = readFields(conf, { ...NETCONF_FIELDS, ...FLANNEL_FIELDS });
  const d = f.delegate ?? {};
  if ('name' in d) throw invalidConfig("'delegate' dictionary must not have 'name' field, it'll be set by flannel");
  if ('ipam' in d) throw invalidConfig("'delegate' dictionary must not have 'ipam' field, it'll be set by flannel");
  const ipam = { ...(f.ipam ?? {}) };
  const routes = (ipam.routes ?? []) as Array<Record<string, unknown>>;
  return {
    name: conf.name,
    ...(typeof conf.cniVersion === 'string' && conf.cniVersion !== '' && { cniVersion: conf.cniVersion }),
    subnetFile: f.subnetFile || DEFAULT_SUBNET_FILE,
    dataDir: f.dataDir || DEFAULT_DATA_DIR,
    delegate: structuredClone(d),
    ipam: structuredClone(ipam),
    routes: structuredClone(routes),
    ...(conf.runtimeConfig !== undefined && { runtimeConfig: structuredClone(conf.runtimeConfig) }),
  };
}

export const CONFIG_ENTRY: ConfigEntry = { fields: FLANNEL_FIELDS, rewritesIpam: true, parse: (conf) => void parseFlannelConf(conf) };
