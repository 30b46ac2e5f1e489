/** Shapes of the CNI 1.1.0 result, the hub every plugin builds; other versions are converted. */
export interface Interface {
  name: string;
  mac?: string;
  mtu?: number;
  sandbox?: string;
  socketPath?: string;
  pciID?: string;
}

export interface IPConfig {
  address: string; // CIDR, e.g. 10.22.0.5/16
  gateway?: string;
  interface?: number;
}

export interface Route {
  dst: string;
  gw?: string;
  mtu?: number;
  advmss?: number;
  priority?: number;
  table?: number;
  scope?: number;
}

export interface DNS {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

export interface Result {
  cniVersion: string;
  interfaces?: Interface[];
  ips?: IPConfig[];
  routes?: Route[];
  dns?: DNS;
}

/** A plugin's config as it arrives on stdin. Unknown keys are kept for pass-through. */
export interface NetConf {
  cniVersion: string;
  name: string;
  type: string;
  ipam?: { type?: string; [k: string]: unknown };
  dns?: DNS;
  runtimeConfig?: Record<string, unknown>;
  args?: Record<string, unknown>;
  prevResult?: Result;
  [k: string]: unknown;
}

/** A network configuration list (.conflist). */
export interface NetConfList {
  cniVersion: string;
  cniVersions?: string[];
  name: string;
  disableCheck?: boolean;
  disableGC?: boolean;
  plugins: Array<Record<string, unknown> & { type: string }>;
  [k: string]: unknown;
}

/** One attachment named by GC's `cni.dev/valid-attachments`. */
export interface Attachment {
  containerID: string;
  ifname: string;
}
