import { existsSync } from 'node:fs';
import { SpawnRunner, type CommandRunner } from '@cni-ts/linux/run';
import { painter } from '../cli/colour.ts';
import { parseArgs } from '../cli/options.ts';
import { out, UsageError } from '../cli/output.ts';
import { confDir, type Env } from '../cli/runtime-options.ts';
import { COMMANDS } from '../cli/usage.ts';
import { loadAll, usedLists, type NetworkList } from '../conf/load.ts';
import { ResultCache } from '../runtime/cache.ts';
import { readFirewall } from '../state/firewall.ts';
import { ipamStore, networkState, STATE_DEFAULTS, type NetworkState } from '../state/inventory.ts';
import { rangeUsage, type RangeUsage } from '../state/usage.ts';

/** One container interface as the node knows it: from the result cache, the IPAM store, or both. */
export interface ListedAttachment {
  containerId: string;
  ifName?: string;
  /** The netns the runtime gave at ADD (cache), and whether it still exists. */
  netns?: string;
  netnsExists?: boolean;
  /** Addresses of the cached result. */
  ips: string[];
  cached: boolean;
  /** Addresses host-local holds for it. */
  reserved: string[];
  ruleSets: number;
}

export interface ListedNetwork {
  network: string;
  file: string;
  cniVersion: string;
  attachments: ListedAttachment[];
  ranges: RangeUsage[];
}

/** Attachments and reservations side by side, matched by container id and interface. */
export function listNetwork(list: NetworkList, state: NetworkState): ListedNetwork {
  const rows = new Map<string, ListedAttachment>();
  const row = (containerId: string, ifName?: string): ListedAttachment => {
    const match = [...rows.values()].find((r) => r.containerId === containerId && (ifName === undefined || r.ifName === undefined || r.ifName === ifName));
    if (match) {
      match.ifName ??= ifName;
      return match;
    }
    const fresh: ListedAttachment = { containerId, ...(ifName && { ifName }), ips: [], cached: false, reserved: [], ruleSets: 0 };
    rows.set(`${containerId}\0${ifName ?? ''}`, fresh);
    return fresh;
  };
  for (const a of state.attachments) {
    const r = row(a.containerId, a.ifName);
    r.cached = true;
    if (a.netns) Object.assign(r, { netns: a.netns, netnsExists: existsSync(a.netns) });
    r.ips = ((a.result.ips ?? []) as Array<{ address?: string }>).flatMap((ip) => (ip.address ? [ip.address] : []));
  }
  for (const res of state.reservations) row(res.containerId ?? '(no owner)', res.ifName).reserved.push(res.ip);
  for (const rule of state.rules) row(rule.containerId).ruleSets++;
  const ranges = list.plugins.flatMap((p) => ipamStore(list, p, STATE_DEFAULTS)?.rangeSets ?? []);
  return { network: list.name, file: list.file, cniVersion: list.cniVersion, attachments: [...rows.values()], ranges: rangeUsage(ranges, state.reservations) };
}

/** `cnictl list [network] [--json]` */
export async function listCommand(argv: readonly string[], env: Env = process.env, host: CommandRunner = new SpawnRunner()): Promise<number> {
  const a = parseArgs(argv, ['conf-dir', 'cni-path', 'cache-dir'], ['json']);
  const [net, ...extra] = a.positionals;
  if (extra.length > 0) throw new UsageError(`usage: cnictl ${COMMANDS.list!.usage}`);
  const dir = confDir(a, env);
  const lists = usedLists(loadAll(dir));
  const chosen = net === undefined ? lists : lists.filter((l) => l.name === net);
  if (net !== undefined && chosen.length === 0) throw new UsageError(`no network named "${net}" in ${dir}`);
  const cache = new ResultCache(a.options.get('cache-dir'));
  const firewall = await readFirewall(host);
  const listed = chosen.map((l) => listNetwork(l, networkState(l, cache, firewall, STATE_DEFAULTS)));
  if (a.flags.has('json')) out(JSON.stringify(listed, null, 2));
  else out(listed.map(formatNetwork).join('\n\n') || `no network lists in ${dir}`);
  return 0;
}

function formatNetwork(n: ListedNetwork): string {
  const paint = painter(1);
  const head = `network "${n.network}" (${n.file}, version ${n.cniVersion})`;
  const ranges = n.ranges.map((r) => `  range ${r.ranges}: ${r.used} used, ${r.free} free`);
  if (n.attachments.length === 0) return [paint('bold', head), ...ranges, '  no attachments, no reservations'].join('\n');
  const table = [['CONTAINER', 'IFNAME', 'NETNS', 'CACHED IPS', 'RESERVED', 'RULE SETS', 'NOTE']];
  for (const r of n.attachments) {
    const note = !r.cached ? 'leaked: no cached attachment' : r.netnsExists === false ? 'stale: netns gone' : r.reserved.length === 0 && r.ips.length > 0 ? 'no reservation' : '';
    table.push([r.containerId, r.ifName ?? '-', r.netns ?? '-', r.ips.join(',') || '-', r.reserved.join(',') || '-', String(r.ruleSets), note]);
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const lines = table.map((row, i) => {
    const text = `  ${row.map((c, j) => c.padEnd(widths[j]!)).join('  ').trimEnd()}`;
    return i === 0 ? paint('dim', text) : row[6] ? paint('yellow', text) : text;
  });
  return [paint('bold', head), ...ranges, ...lines].join('\n');
}
