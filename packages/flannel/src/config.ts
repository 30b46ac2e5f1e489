import { isAbsolute } from 'node:path';
import { invalidConfig, type NetConf } from '@cni-ts/core';

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

export function parseFlannelConf(conf: NetConf): FlannelConf {
  // Absolute only: a relative path would resolve against whatever directory the runtime runs in.
  const path = (key: string, fallback: string): string => {
    const v = conf[key];
    if (v === undefined || v === '') return fallback;
    if (typeof v !== 'string') throw invalidConfig(`"${key}" must be a string (a file path)`);
    if (!isAbsolute(v)) throw invalidConfig(`"${key}" must be an absolute path, got ${JSON.stringify(v)}`);
    return v;
  };
  const delegate = conf.delegate ?? {};
  if (typeof delegate !== 'object' || delegate === null || Array.isArray(delegate)) throw invalidConfig('"delegate" must be a JSON object');
  const d = delegate as Record<string, unknown>;
  if ('type' in d && (typeof d.type !== 'string' || d.type === '')) {
    throw invalidConfig("'delegate' dictionary, if present, must have (string) 'type' field");
  }
  if ('name' in d) throw invalidConfig("'delegate' dictionary must not have 'name' field, it'll be set by flannel");
  if ('ipam' in d) throw invalidConfig("'delegate' dictionary must not have 'ipam' field, it'll be set by flannel");

  const ipam = { ...(conf.ipam ?? {}) } as Record<string, unknown>;
  const routes = ipam.routes ?? [];
  if (!Array.isArray(routes) || !routes.every((r) => typeof r === 'object' && r !== null && typeof (r as { dst?: unknown }).dst === 'string')) {
    throw invalidConfig('"ipam.routes" must be a list of objects with a string "dst"');
  }
  return {
    name: conf.name,
    ...(typeof conf.cniVersion === 'string' && conf.cniVersion !== '' && { cniVersion: conf.cniVersion }),
    subnetFile: path('subnetFile', DEFAULT_SUBNET_FILE),
    dataDir: path('dataDir', DEFAULT_DATA_DIR),
    delegate: structuredClone(d),
    ipam: structuredClone(ipam),
    routes: structuredClone(routes as Array<Record<string, unknown>>),
    ...(conf.runtimeConfig !== undefined && { runtimeConfig: structuredClone(conf.runtimeConfig) }),
  };
}
