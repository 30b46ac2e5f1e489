import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { NetConf } from '@cni-ts/core';
import { parseIP } from '@cni-ts/core/net/ip';
import { parseFlannelConf } from '@cni-ts/flannel/config';
import { buildDelegateConf } from '@cni-ts/flannel/delegate-conf';
import { loadSubnetEnv, type SubnetEnv } from '@cni-ts/flannel/subnet-env';
import { DEFAULT_DATA_DIR, parseIpamConfig } from '@cni-ts/host-local/config';
import type { RangeSet } from '@cni-ts/host-local/range';
import { previousBootReservations } from '@cni-ts/host-local/previous-boot';
import { NetworkDir } from '@cni-ts/host-local/store';
import type { NetworkList, PluginConf } from '../conf/load.ts';
import type { CachedAttachment, ResultCache } from '../runtime/cache.ts';
import type { FirewallState, RuleSet } from './firewall.ts';

/** Where node state lives when a list does not say (doctor's and sysdump's --data-dir, --subnet-file). */
export interface StateDefaults {
  dataDir: string;
  subnetFile: string;
}

export const STATE_DEFAULTS: StateDefaults = { dataDir: DEFAULT_DATA_DIR, subnetFile: '/run/flannel/subnet.env' };

/** One host-local reservation file: the address and who holds it. */
export interface ReservationEntry {
  ip: string;
  containerId?: string;
  ifName?: string;
  file: string;
  mtimeMs: number;
  /** True when host-local recorded a boot id for it other than this boot's. */
  previousBoot?: boolean;
}

/** One flannel saved delegate config: `<containerID>:<ifname>`, or the reference's `<containerID>`. */
export interface SavedConfigEntry {
  containerId: string;
  ifName?: string;
  file: string;
}

/** A list's host-local store: its directory and, when they can be known, its range sets. */
export interface IpamStore {
  dir: string;
  rangeSets?: RangeSet[];
  /** Why the ranges are unknown (a flannel list without subnet.env, an invalid ipam section). */
  problem?: string;
}

/** What a flannel entry of a list works from. */
export interface FlannelView {
  subnetFile: string;
  env?: SubnetEnv;
  problem?: string;
  dataDir: string;
  /** The delegate config flannel would send for this node (when subnet.env reads). */
  delegate?: Record<string, unknown>;
}

/** Everything on the node that belongs to one network. */
export interface NetworkState {
  network: string;
  attachments: CachedAttachment[];
  reservations: ReservationEntry[];
  savedConfigs: SavedConfigEntry[];
  rules: RuleSet[];
}

const asNetConf = (list: NetworkList, plugin: Record<string, unknown>): NetConf => ({ ...plugin, name: list.name, cniVersion: list.cniVersion }) as NetConf;

/** The flannel entry of a list, read as the plugin reads it. */
export function flannelView(list: NetworkList, plugin: PluginConf, defaults: StateDefaults): FlannelView {
  const conf = parseFlannelConf(asNetConf(list, { subnetFile: defaults.subnetFile, ...plugin }));
  const view: FlannelView = { subnetFile: conf.subnetFile, dataDir: conf.dataDir };
  try {
    view.env = loadSubnetEnv(conf.subnetFile);
    view.delegate = buildDelegateConf(conf, view.env);
  } catch (e) {
    view.problem = (e as Error).message;
  }
  return view;
}

/** The host-local store of a plugin entry (its own ipam, or the one flannel gives its delegate). */
export function ipamStore(list: NetworkList, plugin: PluginConf, defaults: StateDefaults): IpamStore | undefined {
  let conf: Record<string, unknown> | undefined;
  if (plugin.type === 'flannel') {
    const view = flannelView(list, plugin, defaults);
    const base = (plugin.ipam ?? {}) as Record<string, unknown>;
    if ((base.type ?? 'host-local') !== 'host-local') return undefined;
    const dir = join(typeof base.dataDir === 'string' ? base.dataDir : defaults.dataDir, list.name);
    if (!view.delegate) return { dir, problem: view.problem ?? 'flannel has no delegate config' };
    conf = view.delegate;
  } else {
    conf = plugin;
  }
  const ipam = conf.ipam as Record<string, unknown> | undefined;
  if (ipam?.type !== 'host-local') return undefined;
  const withDir = asNetConf(list, { ...conf, ipam: { dataDir: defaults.dataDir, ...ipam } });
  const dir = join(typeof ipam.dataDir === 'string' ? ipam.dataDir : defaults.dataDir, list.name);
  try {
    return { dir, rangeSets: parseIpamConfig(withDir).rangeSets };
  } catch (e) {
    return { dir, problem: (e as Error).message };
  }
}

/** The names in a directory; none when it does not exist (nothing was ever stored there). */
function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Every reservation file of a store directory (none when it does not exist). */
export function readReservations(dir: string): ReservationEntry[] {
  const store = new NetworkDir(dir);
  const earlier = new Set(previousBootReservations(dirname(dir), basename(dir)).reservations.map((r) => r.address));
  return namesIn(dir)
    .filter((n) => parseIP(n) !== undefined)
    .sort()
    .flatMap((name) => {
      const file = join(dir, name);
      const r = store.readName(name);
      if (!r) return [];
      const common = { ip: name, file, mtimeMs: statSync(file).mtimeMs, ...(earlier.has(name) && { previousBoot: true }) };
      return [r.kind === 'owner' ? { ...common, containerId: r.owner.containerId, ...(r.owner.ifName && { ifName: r.owner.ifName }) } : common];
    });
}

/** Flannel's saved delegate configs in its dataDir. */
export function readSavedConfigs(dataDir: string): SavedConfigEntry[] {
  return namesIn(dataDir)
    .filter((n) => !n.startsWith('.'))
    .sort()
    .map((name) => {
      const [containerId, ifName] = name.split(':');
      return { containerId: containerId!, ...(ifName && { ifName }), file: join(dataDir, name) };
    });
}

/** Everything of one network on this node: cached attachments, reservations, saved configs, rules. */
export function networkState(list: NetworkList, cache: ResultCache, firewall: FirewallState, defaults: StateDefaults): NetworkState {
  const stores = new Set<string>();
  const flannelDirs = new Set<string>();
  for (const plugin of list.plugins) {
    const store = ipamStore(list, plugin, defaults);
    if (store) stores.add(store.dir);
    if (plugin.type === 'flannel') flannelDirs.add(flannelView(list, plugin, defaults).dataDir);
  }
  return {
    network: list.name,
    attachments: cache.list(list.name),
    reservations: [...stores].flatMap(readReservations),
    savedConfigs: [...flannelDirs].flatMap(readSavedConfigs),
    rules: firewall.sets.filter((s) => s.network === list.name),
  };
}
