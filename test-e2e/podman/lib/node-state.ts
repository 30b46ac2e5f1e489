import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandOutput } from './sh.ts';

/** A node whose network namespace commands run in (a podman lab, a containerd node). */
export interface NodeHost {
  inNode(argv: string[]): CommandOutput;
}

/** host-local's reservations: one file per IP named by the IP, holding `<containerID>\r\n<ifname>`. */
export function ipamReservations(dataDir: string, network: string): Map<string, string> {
  const dir = join(dataDir, network);
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    if (f === 'lock' || f.startsWith('last_reserved_ip')) continue;
    out.set(f, readFileSync(join(dir, f), 'utf8').split(/\r?\n/)[0]!.trim());
  }
  return out;
}

/** Names of the veth links in the node's namespace. */
export function nodeVeths(lab: NodeHost): string[] {
  const r = lab.inNode(['ip', '-j', 'link', 'show', 'type', 'veth']);
  if (r.code !== 0) throw new Error(`ip link: ${r.stderr}`);
  return (JSON.parse(r.stdout || '[]') as { ifname: string }[]).map((l) => l.ifname);
}

/** The node's firewall state as text, as iptables sees it (all tables). */
export function nodeIptables(lab: NodeHost): string {
  return lab.inNode(['iptables-save']).stdout;
}

/** The node's firewall state as text, every nftables table (iptables-nft's included). */
export function nodeNftables(lab: NodeHost): string {
  return lab.inNode(['nft', 'list', 'ruleset']).stdout;
}

/** The node's whole firewall state as text: iptables and the nftables ruleset. */
export function nodeFirewall(lab: NodeHost): string {
  return [nodeIptables(lab), nodeNftables(lab)].join('\n');
}

/** Lines of the firewall state that mention one of the needles (container IDs, IPs as whole words). */
export function firewallLinesMentioning(firewall: string, needles: string[]): string[] {
  const patterns = needles.map((n) => new RegExp(`(^|[^0-9a-f.])${n.replace(/\./g, '\\.')}($|[^0-9a-f.])`));
  return firewall.split('\n').filter((line) => patterns.some((p) => p.test(line)));
}

/**
 * A meta plugin's saved per-attachment state (flannel's `<dataDir>/<containerID>`, the reference's
 * name, or `<dataDir>/<containerID>:<ifname>`): one container's files, or all when no ID is given.
 * Names starting with "." (flannel's `.lock`, the dir's own) are never an attachment's: a
 * container ID starts with a letter or digit.
 */
export function savedStateOf(stateDir: string, containerId?: string): string[] {
  if (!existsSync(stateDir)) return [];
  const files = readdirSync(stateDir).filter((f) => !f.startsWith('.'));
  return containerId === undefined ? files : files.filter((f) => f === containerId || f.startsWith(`${containerId}:`));
}
