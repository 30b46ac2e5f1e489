import { atLeast, findPlugin, type NetConf } from '@cni-ts/core';
import { formatCidr } from '@cni-ts/core/net/ip';
import { buildDelegateConf } from '@cni-ts/flannel/delegate-conf';
import { DEFAULT_SUBNET_FILE, parseFlannelConf } from '@cni-ts/flannel/config';
import { loadSubnetEnv } from '@cni-ts/flannel/subnet-env';
import { parseIpamConfig } from '@cni-ts/host-local/config';
import type { NetworkList, PluginConf } from '../conf/load.ts';
import { PLUGIN_NAMES } from '../install/install.ts';
import type { PluginInvoker } from '../runtime/invoke.ts';
import { probeVersions } from '../runtime/probe.ts';
import type { Finding } from './findings.ts';
import { checkPlugin } from './plugin-config.ts';

/** A bridge a list puts its pods on, and the subnets it gives it. */
export interface BridgeUse {
  file: string;
  network: string;
  bridge: string;
  subnets: string[];
}

/** What the node-facing checks of one list found, and the bridges it uses. */
export interface PluginCheck {
  findings: Finding[];
  /** False when a plugin the list needs is missing or does not speak its version. */
  runnable: boolean;
  bridges: BridgeUse[];
}

const installFix = (type: string, path: readonly string[]): string =>
  (PLUGIN_NAMES as readonly string[]).includes(type) ? `cnictl install --dir ${path[0]} ${type}` : `install the "${type}" plugin into ${path[0]} (it is not part of cni-ts: the reference plugins or your network's installer provide it)`;

/**
 * Each plugin of the list against the node: its executable in CNI_PATH answering VERSION with
 * the list's version, the IPAM and delegate plugins it runs, flannel's subnet.env (and the
 * delegate config flannel would build from it), the bridges and subnets the list uses, and the
 * list's version (STATUS and GC need 1.1.0).
 */
export async function checkPlugins(list: NetworkList, path: readonly string[], invoker: PluginInvoker): Promise<PluginCheck> {
  const findings: Finding[] = [];
  const add = (f: Omit<Finding, 'file'>): void => void findings.push({ file: list.file, ...f });
  const bridges: BridgeUse[] = [];
  let runnable = true;
  const need = async (type: string, where: string, probe: boolean): Promise<void> => {
    try {
      findPlugin(type, path);
    } catch {
      runnable = false;
      add({ severity: 'problem', check: 'binary', message: `${where}: no executable "${type}" in CNI_PATH (${path.join(':')}): every ADD of this list fails`, fix: installFix(type, path) });
      return;
    }
    if (!probe) return;
    try {
      const versions = await probeVersions(invoker, type, [...path], list.cniVersion);
      if (!versions.includes(list.cniVersion)) {
        runnable = false;
        add({ severity: 'problem', check: 'version', message: `${where} does not support version ${list.cniVersion} (it supports ${versions.join(', ')})`, fix: `set the list's "cniVersion" to one of ${versions.join(', ')}, or install a newer "${type}"` });
      }
    } catch (e) {
      runnable = false;
      add({ severity: 'problem', check: 'version', message: `${where}: ${(e as Error).message}`, fix: `check that ${type} in CNI_PATH is a CNI plugin` });
    }
  };

  for (const [i, plugin] of list.plugins.entries()) {
    const where = `plugins[${i}] "${plugin.type}"`;
    await need(plugin.type, where, true);
    if (plugin.type === 'flannel') {
      const delegate = await flannelDelegate(plugin, list, where, add);
      if (delegate) {
        await need(delegate.type as string, `${where}'s delegate`, false);
        await need('host-local', `${where}'s delegate IPAM`, false);
        const use = bridgeUse(delegate, list);
        if (use) bridges.push(use);
      }
      continue;
    }
    const ipamType = (plugin.ipam as { type?: unknown } | undefined)?.type;
    if (typeof ipamType === 'string' && ipamType !== '') await need(ipamType, `${where}'s IPAM`, false);
    const use = bridgeUse(plugin, list);
    if (use) bridges.push(use);
  }
  if (!atLeast(list.cniVersion, '1.1.0')) {
    add({ severity: 'warning', check: 'version', message: `version ${list.cniVersion} is below 1.1.0: runtimes never send STATUS or GC to this list, so leaked addresses and rules are never collected`, fix: 'set "cniVersion": "1.1.0" once every plugin of the list supports it (ours do)' });
  }
  return { findings, runnable, bridges };
}

/**
 * flannel's subnet.env, and the delegate config flannel's ADD would build from it, judged by the
 * delegate's own parsers. Undefined when there is no subnet.env to build from.
 */
async function flannelDelegate(plugin: PluginConf, list: NetworkList, where: string, add: (f: Omit<Finding, 'file'>) => void): Promise<Record<string, unknown> | undefined> {
  const conf = { ...plugin, name: list.name, cniVersion: list.cniVersion } as NetConf;
  let flannel;
  try {
    flannel = parseFlannelConf(conf);
  } catch {
    return undefined; // the config check has reported it
  }
  const file = flannel.subnetFile || DEFAULT_SUBNET_FILE;
  let env;
  try {
    env = loadSubnetEnv(file);
  } catch (e) {
    add({ severity: 'problem', check: 'subnetFile', message: `${where}: ${(e as Error).message}`, fix: `start flanneld on this node (it writes ${file}), or point "subnetFile" at the file it writes` });
    return undefined;
  }
  const delegate = buildDelegateConf(flannel, env);
  const verdict = checkPlugin(delegate, list.name, list.cniVersion);
  if (verdict.refusal) {
    add({ severity: 'problem', check: 'config', message: `${where}: the delegate config built from ${file} would fail with ${verdict.refusal}`, fix: 'correct "delegate" (or the subnet.env flanneld writes)' });
  }
  return delegate;
}

/** The bridge a bridge plugin config uses and the subnets its host-local ranges give it. */
function bridgeUse(plugin: Record<string, unknown>, list: NetworkList): BridgeUse | undefined {
  if (plugin.type !== 'bridge') return undefined;
  const bridge = typeof plugin.bridge === 'string' && plugin.bridge !== '' ? plugin.bridge : 'cni0';
  let subnets: string[] = [];
  if ((plugin.ipam as { type?: unknown } | undefined)?.type === 'host-local') {
    try {
      subnets = parseIpamConfig({ ...plugin, name: list.name, cniVersion: list.cniVersion } as NetConf).rangeSets.flatMap((s) => s.map((r) => formatCidr(r.subnet)));
    } catch {
      subnets = []; // the config check has reported it
    }
  }
  return { file: list.file, network: list.name, bridge, subnets };
}
