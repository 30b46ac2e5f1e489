import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomHex } from '@cni-ts/linux/ip/random';
import { inNetns } from '@cni-ts/linux/netns';
import { showLinks } from '@cni-ts/linux/ip/query';
import type { NetworkList } from '../conf/load.ts';
import { DemoHost } from '../demo/host.ts';
import { ResultCache } from '../runtime/cache.ts';
import { ChainRunner, type Attachment } from '../runtime/chain.ts';
import { readFirewall } from '../state/firewall.ts';
import { networkState, type NetworkState } from '../state/inventory.ts';
import type { Node } from './context.ts';
import { ok, problem, warn, type Finding } from './finding.ts';

const PAGE = 'cnictl doctor --active\n';

interface Pod {
  att: Attachment;
  ip: string;
  gateway?: string;
}

/** The node's state of the list and its link names, to find what the throwaway pods left. */
interface Snapshot {
  state: NetworkState;
  links: Set<string>;
  bridges: Set<string>;
}

async function snapshot(node: Node, list: NetworkList): Promise<Snapshot> {
  const links = await showLinks(node.host, '').catch(() => []);
  return {
    state: networkState(list, node.cache, await readFirewall(node.host), node.defaults),
    links: new Set(links.map((l) => l.name)),
    bridges: new Set(links.filter((l) => l.kind === 'bridge').map((l) => l.name)),
  };
}

/**
 * `doctor --active`: two throwaway pods through the node's real default list, then traffic as a
 * workload sends it (gateway, pod to pod, a hostPort from another pod, the hairpin back to the
 * pod itself), then DEL and the proof that no address, rule, saved config or interface is left.
 * Their results are cached in a private directory, never in the runtime's cache.
 */
export async function activeChecks(node: Node): Promise<Finding[]> {
  const list = node.defaultList;
  if (!list) return [];
  if (process.getuid?.() !== 0) return [warn('active', 'the connectivity test creates network namespaces and was skipped', 'run cnictl doctor --active as root')];
  const findings: Finding[] = [];
  const tag = randomHex(4);
  const host = new DemoHost();
  const scratch = mkdtempSync(join(tmpdir(), 'cnictl-doctor-'));
  const runner = new ChainRunner(node.invoker, new ResultCache(scratch), node.binDirs);
  const portmap = list.plugins.some((p) => p.type === 'portmap' && (p.capabilities as Record<string, boolean> | undefined)?.portMappings);
  const hostPort = 30000 + Math.floor(Math.random() * 10000);
  const added: Attachment[] = [];
  /** The host-side interfaces the ADDs reported (veths): DEL must remove each. */
  const hostIfs = new Set<string>();
  try {
    const pods: Pod[] = [];
    for (const name of ['a', 'b']) {
      const att: Attachment = {
        containerId: `cnictl-doctor-${tag}-${name}`,
        netns: await host.createNetns(`cnictl-doctor-${tag}-${name}`),
        ifName: 'eth0',
        cniArgs: [],
        capabilityArgs: portmap && name === 'b' ? { portMappings: [{ hostPort, containerPort: 80, protocol: 'tcp' }] } : {},
      };
      const result = await runner.add(list, att);
      added.push(att);
      for (const i of (result.interfaces ?? []) as Array<{ name: string; sandbox?: string }>) if (!i.sandbox) hostIfs.add(i.name);
      const ip = ((result.ips ?? []) as Array<{ address: string; gateway?: string }>).find((i) => !i.address.includes(':'));
      if (!ip) throw new Error(`ADD of ${att.containerId} gave no IPv4 address`);
      pods.push({ att, ip: ip.address.split('/')[0]!, ...(ip.gateway && { gateway: ip.gateway }) });
    }
    findings.push(ok('active add', `two throwaway pods attached through ${list.name}: ${pods.map((p) => p.ip).join(', ')}`));
    const [a, b] = pods as [Pod, Pod];
    const ping = (from: Pod, to: string) => host.succeeds(from.att.netns, ['ping', '-c', '1', '-W', '2', to]);
    if (a.gateway) {
      findings.push((await ping(a, a.gateway)) ? ok('active gateway', `pod -> gateway ${a.gateway}`) : problem('active gateway', `a pod cannot ping its gateway ${a.gateway}`, 'check the bridge is up with the gateway address (ip addr show) and that nothing drops ICMP on it'));
    }
    findings.push((await ping(a, b.ip)) ? ok('active pod to pod', `${a.ip} -> ${b.ip}`) : problem('active pod to pod', `pod ${a.ip} cannot ping pod ${b.ip}`, 'check iptables FORWARD policy and br_netfilter rules (iptables -S FORWARD), and the bridge ports (bridge link)'));
    if (portmap && a.gateway) {
      const www = join(scratch, 'www');
      mkdirSync(www);
      writeFileSync(join(www, 'index.html'), PAGE);
      host.background(b.att.netns, ['busybox', 'httpd', '-f', '-p', '80', '-h', www]);
      // The first fetch also waits for httpd to listen (refused until then, which is quick).
      const fetch = async (from: Pod, attempts: number): Promise<boolean> => {
        for (let i = 0; i < attempts; i++) {
          // busybox nc speaks the request (busybox's static wget crashes on some hosts)
          const r = await node.host.run(inNetns(from.att.netns, ['busybox', 'nc', '-w', '2', a.gateway!, String(hostPort)]), { input: 'GET / HTTP/1.0\r\n\r\n' });
          if (r.stdout.includes(PAGE.trim())) return true;
          await new Promise((res) => setTimeout(res, 200));
        }
        return false;
      };
      findings.push((await fetch(a, 10)) ? ok('active hostPort', `pod -> ${a.gateway}:${hostPort} -> pod ${b.ip}:80`) : problem('active hostPort', `hostPort ${hostPort} on ${a.gateway} does not reach the pod behind it`, 'check portmap\'s rules (cnictl doctor lists stale or conflicting DNATs) and that the list\'s portmap entry has "capabilities": {"portMappings": true}'));
      findings.push(
        (await fetch(b, 1))
          ? ok('active hairpin', `pod ${b.ip} reaches itself through its hostPort`)
          : warn('active hairpin', `pod ${b.ip} cannot reach itself through its own hostPort ${hostPort}`, 'set "hairpinMode": true on the bridge (flannel\'s delegate sets it) so a pod can reach its own Service or hostPort'),
      );
    }
  } catch (e) {
    findings.push(problem('active add', `a throwaway pod could not be attached through ${list.name}: ${(e as Error).message}`, 'this is what every pod on this node meets: fix the findings above, or the error named here'));
  } finally {
    for (const att of added.reverse()) {
      await runner.del(list, att).catch((e: Error) => findings.push(problem('active cleanup', `DEL of ${att.containerId} failed: ${e.message}`, `retry: cnictl del ${list.name} ${att.netns} --container-id ${att.containerId}`)));
    }
    await host.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  }
  findings.push(leftovers(await snapshot(node, list), tag, hostIfs));
  return findings;
}

/** Whatever the throwaway pods left: reservations, rules, saved configs, interfaces. */
function leftovers(after: Snapshot, tag: string, hostIfs: Set<string>): Finding {
  const mine = (id: string | undefined): boolean => (id ?? '').includes(`cnictl-doctor-${tag}`);
  const left = [
    ...after.state.reservations.filter((r) => mine(r.containerId)).map((r) => `IP ${r.ip}`),
    ...after.state.rules.filter((r) => mine(r.containerId)).map((r) => `${r.backend} ${r.chain}`),
    ...after.state.savedConfigs.filter((s) => mine(s.containerId)).map((s) => s.file),
    // the bridge stays (it serves every pod); the pods' own host interfaces must be gone
    ...[...hostIfs].filter((l) => after.links.has(l) && !after.bridges.has(l)).map((l) => `interface ${l}`),
  ];
  return left.length === 0
    ? ok('active cleanup', 'after DEL nothing of the throwaway pods is left (addresses, rules, saved configs, interfaces)')
    : problem('active cleanup', `DEL left behind: ${left.join(', ')}`, 'a plugin of the list does not clean up on DEL: every pod deletion on this node leaks the same');
}
