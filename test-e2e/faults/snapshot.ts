import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Everything a plugin can leave behind on a node, as a set of items "kind: what": host-local's
 * reservations and any other file it writes, flannel's saved configs and temps, the node
 * namespace's links, iptables rules and chains (v4 and v6, every table), nftables tables, chains,
 * rules, sets, maps and map elements. A plugin call that leaves nothing has the same snapshot
 * before and after.
 */
export type Snapshot = Map<string, Kind>;

export const KINDS = ['reservation', 'ipam-file', 'flannel-file', 'link', 'iptables4', 'iptables6', 'nft'] as const;
export type Kind = (typeof KINDS)[number];

export interface SnapshotPlaces {
  /** The namespace (path) the plugins run in. */
  node: string;
  /** host-local's dataDir. */
  ipamDir: string;
  /** flannel's dataDir, when the chain has flannel. */
  flannelDir?: string;
}

/** host-local files that stay by design: the lock, the round-robin hints, our owner index. */
const IPAM_KEEPS = /(^|\/)(lock|last_reserved_ip\.\d+|\.[^/]+\.cni-ts-index)$/;
/** flannel's file that stays by design: the lock its writers and GC share. */
const FLANNEL_KEEPS = /(^|\/)\.lock$/;
const IP_FILE = /(^|\/)([0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9a-f:]*:[0-9a-f:]*)$/;

// One process for the kernel state: the listings are separated by marker lines.
const LISTING = [
  'echo @links; ip -o link show',
  'echo @iptables4; iptables-save',
  'echo @iptables6; ip6tables-save',
  'echo @nft; nft -j list ruleset 2>/dev/null || true',
].join('; ');

export function takeSnapshot(p: SnapshotPlaces): Snapshot {
  const out: Snapshot = new Map();
  const add = (kind: Kind, what: string): void => void out.set(`${kind}: ${what}`, kind);
  for (const file of files(p.ipamDir)) {
    if (IP_FILE.test(file)) add('reservation', file);
    else if (!IPAM_KEEPS.test(file)) add('ipam-file', file);
  }
  if (p.flannelDir) for (const file of files(p.flannelDir)) if (!FLANNEL_KEEPS.test(file)) add('flannel-file', file);
  const r = spawnSync('nsenter', [`--net=${p.node}`, 'sh', '-c', LISTING], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`snapshot of ${p.node} failed: ${r.stderr}`);
  const sections = new Map<string, string[]>();
  let current = '';
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('@')) sections.set((current = line.slice(1)), []);
    else if (line.trim()) sections.get(current)?.push(line);
  }
  for (const line of sections.get('links') ?? []) {
    const name = /^\d+: ([^:@]+)/.exec(line)?.[1];
    if (name) add('link', name);
  }
  for (const family of ['4', '6'] as const) {
    let table = '';
    for (const line of sections.get(`iptables${family}`) ?? []) {
      if (line.startsWith('#') || line === 'COMMIT') continue;
      if (line.startsWith('*')) table = line.slice(1);
      else add(`iptables${family}`, `${table} ${line.replace(/ \[\d+:\d+\]$/, '')}`);
    }
  }
  for (const item of nftItems((sections.get('nft') ?? []).join('\n'))) add('nft', item);
  return out;
}

/** Items of `after` that `before` lacks, by kind. */
export function leaks(before: Snapshot, after: Snapshot): Map<Kind, string[]> {
  const out = new Map<Kind, string[]>();
  for (const [item, kind] of after) if (!before.has(item)) out.set(kind, [...(out.get(kind) ?? []), item]);
  return out;
}

/** Every file under `dir`, relative to it (none when it does not exist). */
function files(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const path = join(dir, n);
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ? files(path).map((f) => relative(dir, join(path, f))) : [n];
  });
}

/** `nft -j list ruleset` as items without handles: tables, chains, rules, sets and maps, and each element of a set or map. */
function nftItems(json: string): string[] {
  if (!json.trim()) return [];
  const doc = JSON.parse(json) as { nftables: Array<Record<string, Record<string, unknown>>> };
  const items: string[] = [];
  for (const entry of doc.nftables) {
    for (const [type, body] of Object.entries(entry)) {
      if (type === 'metainfo') continue;
      const { handle: _h, elem, ...rest } = body as Record<string, unknown>;
      items.push(`${type} ${JSON.stringify(rest)}`);
      for (const e of (elem as unknown[] | undefined) ?? []) items.push(`${type} ${String(rest.family)} ${String(rest.table)} ${String(rest.name)} element ${JSON.stringify(e)}`);
    }
  }
  return items;
}
