import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CommandRunner } from '@cni-ts/linux/run';
import { findSystemTool } from '@cni-ts/linux/system-tool';
import type { Node } from '../doctor/context.ts';
import { readReservations, readSavedConfigs, flannelView, ipamStore } from '../state/inventory.ts';

/** The sysctls doctor reads: what decides whether pod traffic is forwarded and filtered. */
export const SYSCTLS = ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.bridge.bridge-nf-call-iptables', 'net.bridge.bridge-nf-call-ip6tables'];

/** Commands whose output a maintainer asks for, each saved as `<file>` in the dump. */
const COMMANDS: Array<[string, string[]]> = [
  ['firewall/iptables-save.txt', ['iptables-save']],
  ['firewall/ip6tables-save.txt', ['ip6tables-save']],
  ['firewall/iptables-legacy-save.txt', ['iptables-legacy-save']],
  ['firewall/nft-ruleset.txt', ['nft', 'list', 'ruleset']],
  ['firewall/iptables-version.txt', ['iptables', '--version']],
  ['ip/link.txt', ['ip', '-d', 'link', 'show']],
  ['ip/addr.txt', ['ip', '-d', 'addr', 'show']],
  ['ip/route4.txt', ['ip', '-4', 'route', 'show', 'table', 'all']],
  ['ip/route6.txt', ['ip', '-6', 'route', 'show', 'table', 'all']],
  // iproute2's, never a CNI `bridge` that comes first on PATH (a missing one fails, named, into errors.txt).
  ['ip/bridge-fdb.txt', [findSystemTool('bridge') ?? '/usr/sbin/bridge', 'fdb', 'show']],
  ['host/uname.txt', ['uname', '-a']],
];

/**
 * Write what a maintainer asks for into `dir`: the conf dir as is, each subnet.env, the IPAM and
 * flannel data-dir listings, the result cache, rules, links, routes, fdb, sysctls, each plugin's
 * VERSION answer, and doctor's findings. What cannot be read is listed in errors.txt, never fatal.
 */
export async function collect(dir: string, node: Node, host: CommandRunner, doctorJson: string): Promise<string[]> {
  const errors: string[] = [];
  const write = (file: string, text: string): void => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  copyTree(node.confDir, join(dir, 'conf'), errors);
  copyTree(join(node.cache.dir, 'results'), join(dir, 'cache/results'), errors);
  const subnetFiles = new Set([node.defaults.subnetFile]);
  const stores = new Set<string>();
  const flannelDirs = new Set<string>();
  for (const e of node.entries) {
    for (const p of e.list?.plugins ?? []) {
      const store = ipamStore(e.list!, p, node.defaults);
      if (store) stores.add(store.dir);
      if (p.type !== 'flannel') continue;
      const view = flannelView(e.list!, p, node.defaults);
      subnetFiles.add(view.subnetFile);
      flannelDirs.add(view.dataDir);
    }
  }
  for (const f of subnetFiles) {
    if (existsSync(f)) write(`flannel/${f.replace(/\//g, '_')}`, readFileSync(f, 'utf8'));
    else errors.push(`${f}: does not exist`);
  }
  const listing: string[] = [];
  for (const s of stores) {
    listing.push(`# ${s}`, ...readReservations(s).map((r) => `${r.ip}\t${r.containerId ?? '(no owner)'}\t${r.ifName ?? ''}\t${new Date(r.mtimeMs).toISOString()}`));
  }
  for (const d of flannelDirs) listing.push(`# ${d} (flannel saved configs)`, ...readSavedConfigs(d).map((s) => `${basename(s.file)}`));
  write('state/data-dirs.txt', `${listing.join('\n')}\n`);
  const outputs = await Promise.all(COMMANDS.map(async ([file, argv]) => ({ file, argv, r: await host.run(argv) })));
  for (const { file, argv, r } of outputs) {
    write(file, r.stdout);
    if (r.code !== 0) errors.push(`${argv.join(' ')}: exit ${r.code}: ${r.stderr.trim().slice(0, 300)}`);
  }
  write('host/sysctl.txt', SYSCTLS.map((k) => `${k} = ${node.sysctl(k) ?? '(missing)'}`).join('\n') + '\n');
  write('plugins/versions.txt', await pluginVersions(node));
  write('doctor.json', doctorJson);
  write('errors.txt', errors.join('\n') + (errors.length ? '\n' : ''));
  return errors;
}

/** Every executable in the plugin directories with its VERSION answer. */
async function pluginVersions(node: Node): Promise<string> {
  const lines: string[] = [];
  for (const d of node.binDirs) {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch (e) {
      lines.push(`${d}: ${(e as Error).message}`);
      continue;
    }
    for (const name of names) {
      if (!statSync(join(d, name)).isFile()) continue;
      const r = await node.invoker.invoke(name, { command: 'VERSION', path: [d] }, '{"cniVersion":"1.1.0"}').catch((e: Error) => ({ stdout: e.message, exitCode: -1 }));
      lines.push(`${join(d, name)}\texit ${r.exitCode}\t${r.stdout.trim().slice(0, 300)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function copyTree(from: string, to: string, errors: string[]): void {
  let names: string[];
  try {
    names = readdirSync(from);
  } catch (e) {
    errors.push(`${from}: ${(e as Error).message}`);
    return;
  }
  mkdirSync(to, { recursive: true });
  for (const name of names) {
    const src = join(from, name);
    if (statSync(src).isDirectory()) copyTree(src, join(to, name), errors);
    else copyFileSync(src, join(to, name));
  }
}
