import type { CachedAttachment } from '../../runtime/cache.ts';
import type { HostPort, RuleSet } from '../../state/firewall.ts';
import { ipamStore, type ReservationEntry } from '../../state/inventory.ts';
import { rangeUsage } from '../../state/usage.ts';
import type { Node } from '../context.ts';
import { ok, problem, warn, type Finding } from '../finding.ts';

/** Why an owner (container id, maybe an interface) is not a live attachment; undefined when it is. */
export type Staleness = { proven: boolean; why: string } | undefined;

/**
 * An attachment is live when the result cache has it, its netns still exists, and it was made
 * after the last boot (the boot id host-local records with a reservation; else the file's time
 * against the boot time, for reservations made by the reference plugin). A netns gone, or a cache entry or reservation older than the boot, proves
 * it dead (no netns survives a reboot); no cache entry alone does not (another runtime may keep
 * its cache elsewhere).
 */
export function staleness(node: Node, cached: CachedAttachment | undefined, madeMs: number | undefined, previousBoot = false): Staleness {
  if (previousBoot) return { proven: true, why: 'made before the last boot (host-local recorded another boot id)' };
  if (madeMs !== undefined && node.bootTimeMs > 0 && madeMs < node.bootTimeMs) return { proven: true, why: 'made before the last boot' };
  if (!cached) return { proven: false, why: `no libcni cache entry in ${node.cache.dir}/results` };
  if (cached.netns && !node.netnsExists(cached.netns)) return { proven: true, why: `its netns ${cached.netns} is gone` };
  return undefined;
}

const cachedFor = (node: Node, network: string, containerId: string | undefined, ifName?: string): CachedAttachment | undefined =>
  node.states.get(network)?.attachments.find((a) => a.containerId === containerId && (ifName === undefined || a.ifName === ifName));

/** Per range, used and free; reservations whose owner is not a live attachment. */
export function checkIpam(node: Node): Finding[] {
  const findings: Finding[] = [];
  for (const [network, state] of node.states) {
    const list = node.entries.find((e) => e.list?.name === network)!.list!;
    for (const plugin of list.plugins) {
      const store = ipamStore(list, plugin, node.defaults);
      if (!store?.rangeSets) continue;
      for (const u of rangeUsage(store.rangeSets, state.reservations)) {
        const text = `${network} range ${u.ranges}: ${u.used} used, ${u.free} free`;
        if (u.free <= 0) findings.push(problem('ipam', `${text}: every ADD fails with "no IP addresses available"`, `release leaked addresses (cnictl doctor --fix, cnictl gc ${network}) or give the network a larger range`));
        else findings.push(ok('ipam', text));
      }
    }
    for (const r of state.reservations) {
      const why = staleness(node, cachedFor(node, network, r.containerId, r.ifName), r.mtimeMs, r.previousBoot);
      if (why) findings.push(staleReservation(network, r, why));
    }
    for (const a of state.attachments) {
      const why = staleness(node, a, undefined);
      if (why) findings.push(warn('stale attachment', `${network}: cached attachment ${a.containerId}/${a.ifName} is stale: ${why.why}`, 'cnictl doctor --fix --dry-run shows its DEL; cnictl doctor --fix runs it'));
    }
  }
  return findings;
}

function staleReservation(network: string, r: ReservationEntry, why: NonNullable<Staleness>): Finding {
  const owner = r.containerId ? `${r.containerId}${r.ifName ? `/${r.ifName}` : ''}` : 'nobody';
  return warn(
    'stale reservation',
    `${network}: ${r.ip} is reserved for ${owner}, which is not a live attachment: ${why.why}`,
    why.proven
      ? 'cnictl doctor --fix releases it (DEL of that attachment)'
      : `if no runtime knows ${owner}: cnictl gc ${network} --valid-attachments '<the live pods>' (or remove ${r.file})`,
  );
}

const portText = (p: HostPort): string => `${p.protocol}/${p.hostIP ? `${p.hostIP}:` : ''}${p.port}`;

/**
 * Masquerade chains and hostPort DNATs whose attachment is gone, and two DNATs claiming one host
 * port (the first rule wins: the other pod never gets the traffic).
 */
export function checkRules(node: Node): Finding[] {
  const findings: Finding[] = [];
  const stale = (s: RuleSet): Staleness => staleness(node, cachedFor(node, s.network, s.containerId), undefined);
  for (const s of node.firewall.sets) {
    const why = node.states.has(s.network) ? stale(s) : { proven: false, why: `no network "${s.network}" in ${node.confDir}` };
    if (!why) continue;
    const what = s.kind === 'masquerade' ? 'masquerade rules' : `hostPort DNAT (${s.hostPorts.map(portText).join(', ') || 'no ports'})`;
    findings.push(
      warn(
        `stale ${s.kind} rules`,
        `${s.backend} ${s.chain}: ${what} of ${s.network}/${s.containerId}, which is not a live attachment: ${why.why}`,
        why.proven || node.states.has(s.network)
          ? `cnictl gc ${s.network} --valid-attachments '<the live pods>' removes them${why.proven ? ' (cnictl doctor --fix does it for this one)' : ''}`
          : `remove them by hand: ${s.backend === 'nftables' ? `nft list ruleset | grep ${s.containerId}` : `${s.backend}-save -t nat | grep ${s.chain}`}`,
      ),
    );
  }
  const claims = new Map<string, RuleSet[]>();
  for (const s of node.firewall.sets.filter((x) => x.kind === 'hostport')) {
    for (const p of s.hostPorts) {
      const k = `${s.backend === 'nftables' ? 'nft' : 'ipt'}\0${portText(p)}`;
      const owners = claims.get(k) ?? [];
      if (!owners.some((o) => o.containerId === s.containerId && o.network === s.network)) owners.push(s);
      claims.set(k, owners);
    }
  }
  for (const [k, owners] of claims) {
    if (owners.length < 2) continue;
    const port = k.split('\0')[1];
    findings.push(
      problem(
        'hostPort conflict',
        `hostPort ${port} is claimed by ${owners.length} DNATs: ${owners.map((o) => `${o.network}/${o.containerId} (${o.chain})`).join(', ')}; only ${owners[0]!.network}/${owners[0]!.containerId}, the first, ever gets the traffic`,
        `remove the stale one: cnictl gc ${owners[0]!.network} --valid-attachments '<the live pods>' (cnictl doctor lists which is stale)`,
      ),
    );
  }
  if (findings.length === 0 && node.firewall.sets.length > 0) findings.push(ok('firewall state', `${node.firewall.sets.length} rule set(s), each owned by a live attachment`));
  return findings;
}

