import { existsSync, readFileSync } from 'node:fs';
import { loadAll, usedLists, type NetworkList } from '../conf/load.ts';
import type { PluginInvoker } from '../runtime/invoke.ts';
import { ResultCache } from '../runtime/cache.ts';
import type { CommandRunner } from '@cni-ts/linux/run';
import { readFirewall, type FirewallState } from '../state/firewall.ts';
import { networkState, type NetworkState, type StateDefaults } from '../state/inventory.ts';

/** One file of the conf dir, loaded as a runtime loads it. */
export interface ConfEntry {
  file: string;
  list?: NetworkList;
  problem?: string;
}

/**
 * The node doctor looks at: every location can be pointed elsewhere, so a test builds a private
 * "node" (its own namespace and directories) and the host's real state is never read.
 */
export interface Node {
  confDir: string;
  binDirs: string[];
  cache: ResultCache;
  defaults: StateDefaults;
  entries: ConfEntry[];
  /** The list a runtime uses: the first file, in name order, that loads. */
  defaultList?: NetworkList;
  firewall: FirewallState;
  states: Map<string, NetworkState>;
  host: CommandRunner;
  invoker: PluginInvoker;
  /** A sysctl's value (as text), or undefined when the key does not exist here. */
  sysctl(key: string): string | undefined;
  /** When this machine booted (ms since the epoch). */
  bootTimeMs: number;
  netnsExists(path: string): boolean;
}

export interface NodeOptions {
  confDir: string;
  binDirs: string[];
  cacheDir: string;
  defaults: StateDefaults;
  host: CommandRunner;
  invoker: PluginInvoker;
}

export function readSysctl(key: string): string | undefined {
  try {
    return readFileSync(`/proc/sys/${key.replace(/\./g, '/')}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Boot time from /proc/stat's btime (seconds since the epoch). */
export function bootTimeMs(stat: string = readFileSync('/proc/stat', 'utf8')): number {
  const m = /^btime (\d+)$/m.exec(stat);
  return m ? Number(m[1]) * 1000 : 0;
}

/** Load everything once; the checks only read it. */
export async function loadNode(o: NodeOptions): Promise<Node> {
  let entries: ConfEntry[] = [];
  try {
    entries = loadAll(o.confDir);
  } catch {
    entries = [];
  }
  const cache = new ResultCache(o.cacheDir);
  const firewall = await readFirewall(o.host);
  const states = new Map<string, NetworkState>();
  for (const list of usedLists(entries)) states.set(list.name, networkState(list, cache, firewall, o.defaults));
  return {
    confDir: o.confDir,
    binDirs: o.binDirs,
    cache,
    defaults: o.defaults,
    entries,
    defaultList: entries.find((e) => e.list)?.list,
    firewall,
    states,
    host: o.host,
    invoker: o.invoker,
    sysctl: readSysctl,
    bootTimeMs: bootTimeMs(),
    netnsExists: existsSync,
  };
}
