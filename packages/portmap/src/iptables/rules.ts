import { quoteArg } from '@cni-ts/linux/netfilter/iptables';
import type { Family } from '@cni-ts/core/net/ip';
import type { PortmapConfig } from '../config.ts';
import { mappingsFor, type ContainerTarget, type PortMapping } from '../mappings.ts';
import { iptablesDnatChain, iptablesDnatComment, iptablesLegacySnatChain, parseIptablesDnatComment } from '../naming.ts';
import { jumpTarget, optionValue, type NatTable, type SavedRule } from './save.ts';

/**
 * The reference plugin's layout in the nat table, kept name for name so a node can switch
 * binaries under running pods:
 *   PREROUTING, OUTPUT:    -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
 *   CNI-HOSTPORT-DNAT:     per container and protocol, -m multiport --dports ... -j CNI-DN-<hash>
 *   CNI-DN-<hash>:         per mapping: mark hairpin, mark localhost (v4), DNAT
 *   CNI-HOSTPORT-SETMARK:  sets the masquerade mark bit
 *   POSTROUTING (first):   -j CNI-HOSTPORT-MASQ, which masquerades marked packets
 */
export const TOP_DNAT_CHAIN = 'CNI-HOSTPORT-DNAT';
export const SETMARK_CHAIN = 'CNI-HOSTPORT-SETMARK';
export const MASQ_CHAIN = 'CNI-HOSTPORT-MASQ';
const SETMARK_COMMENT = 'CNI portfwd masquerade mark';
const MASQ_COMMENT = 'CNI portfwd requiring masquerade';
/** multiport takes at most 15 ports per rule. */
const MULTIPORT_MAX = 15;

export const markDef = (bit: number): string => {
  const hex = `0x${(2 ** bit).toString(16)}`;
  return `${hex}/${hex}`;
};

/** Words as one iptables-restore line. */
const line = (words: readonly string[]): string => words.map(quoteArg).join(' ');

const destination = (t: ContainerTarget, port: number): string => (t.family === 6 ? `[${t.ip}]:${port}` : `${t.ip}:${port}`);

export interface ContainerRules {
  chain: string;
  /** Rules for CNI-HOSTPORT-DNAT, ending in -j <chain>. */
  entry: string[][];
  /** The container chain's own rules, in order. */
  rules: string[][];
}

/**
 * A container's rules in CNI-HOSTPORT-DNAT for one family, each ending in -j <its chain>. They
 * list every mapping's port, the other family's too, exactly as the reference does: the
 * per-mapping rules filter, and the reference's CHECK then accepts our rules after a switch back.
 */
export function entryRules(conf: PortmapConfig, containerId: string, family: Family): string[][] {
  const chain = iptablesDnatChain(conf.network, containerId);
  const comment = iptablesDnatComment(conf.network, containerId);
  const conditions = family === 6 ? conf.conditionsV6 : conf.conditionsV4;
  const byProto = new Map<string, number[]>();
  for (const m of conf.mappings) {
    const ports = byProto.get(m.protocol);
    if (ports) ports.push(m.hostPort);
    else byProto.set(m.protocol, [m.hostPort]);
  }
  const entry: string[][] = [];
  for (const proto of [...byProto.keys()].sort()) {
    const ports = byProto.get(proto)!;
    for (let i = 0; i < ports.length; i += MULTIPORT_MAX) {
      const list = ports.slice(i, i + MULTIPORT_MAX).join(',');
      entry.push(['-p', proto, '-m', 'comment', '--comment', comment, '-m', 'multiport', '--dports', list, ...conditions, '-j', chain]);
    }
  }
  return entry;
}

/** The rules one family of one container needs (the reference's fillDnatRules, same order). */
export function containerRules(conf: PortmapConfig, containerId: string, target: ContainerTarget): ContainerRules {
  const chain = iptablesDnatChain(conf.network, containerId);
  const mappings = mappingsFor(target.family, conf.mappings);
  const entry = entryRules(conf, containerId, target.family);

  const setMark = conf.externalSetMarkChain ?? SETMARK_CHAIN;
  const anySource = target.family === 6 ? '::/0' : '0.0.0.0/0';
  const rules: string[][] = [];
  for (const m of mappings) {
    const base = matchBase(m);
    if (conf.snat) {
      rules.push([...base, '-s', conf.masqAll ? anySource : target.subnet, '-j', setMark]);
      if (target.family === 4 && !conf.masqAll) rules.push([...base, '-s', '127.0.0.1', '-j', setMark]);
    }
    rules.push([...base, '-j', 'DNAT', '--to-destination', destination(target, m.containerPort)]);
  }
  return { chain, entry, rules };
}

const matchBase = (m: PortMapping): string[] => ['-p', m.protocol, '--dport', String(m.hostPort), ...(m.hostIP ? ['-d', m.hostIP] : [])];

const jumpsTo = (table: NatTable, chain: string): SavedRule[] => table.rules.filter((r) => jumpTarget(r) === chain);
const hasJump = (table: NatTable, from: string, to: string): boolean => table.rules.some((r) => r.chain === from && jumpTarget(r) === to);

/** A rule of a hook or shared chain that every container's rules rely on. */
export interface SharedJump {
  from: string;
  to: string;
  /** The restore line that adds it. */
  line: string;
}

/**
 * The shared chains and rules an ADD needs in the nat table (the first ADD creates them, any
 * later ADD puts back what is missing): the chains, the masquerade mark both set by
 * CNI-HOSTPORT-SETMARK and matched by CNI-HOSTPORT-MASQ (when portmap sets its own mark), and
 * the jumps from the hooks.
 */
export function sharedPieces(conf: PortmapConfig): { chains: string[]; mark?: string; jumps: SharedJump[] } {
  const useOwnMark = conf.snat && conf.externalSetMarkChain === undefined;
  const jumps: SharedJump[] = [];
  // First in POSTROUTING: the bridge's own masquerade rules must not see these packets first.
  if (useOwnMark) jumps.push({ from: 'POSTROUTING', to: MASQ_CHAIN, line: `-I ${line(['POSTROUTING', '1', '-m', 'comment', '--comment', MASQ_COMMENT, '-j', MASQ_CHAIN])}` });
  for (const hook of ['PREROUTING', 'OUTPUT']) {
    jumps.push({ from: hook, to: TOP_DNAT_CHAIN, line: `-A ${line([hook, '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', TOP_DNAT_CHAIN])}` });
  }
  return {
    chains: useOwnMark ? [SETMARK_CHAIN, MASQ_CHAIN, TOP_DNAT_CHAIN] : [TOP_DNAT_CHAIN],
    ...(useOwnMark && { mark: markDef(conf.markMasqBit) }),
    jumps,
  };
}

/**
 * One iptables-restore --noflush script that sets up a container's mappings for one family.
 * Declaring an existing user chain in --noflush mode flushes it, so the container's own chain is
 * declared (which makes a repeated ADD idempotent) and the shared chains are created with -N,
 * only when missing, so that a concurrent ADD's rules in them are not flushed: if that ADD creates
 * them first, -N usually fails and the whole transaction with it, and the caller reads again and
 * retries. (iptables-nft, retrying a transaction a concurrent commit overtook, may instead go on
 * with the chain as it now is; a shared rule may then be written twice, which changes nothing
 * about where packets go.)
 * `table`: the nat table as read; without it, the script holds only the container's own rules,
 * for when every shared piece is known to be in place and the container's chain to be new.
 */
export function addScript(conf: PortmapConfig, containerId: string, target: ContainerTarget, table?: NatTable): string {
  const own = containerRules(conf, containerId, target);
  const out: string[] = ['*nat', `:${own.chain} - [0:0]`];
  if (table) {
    const shared = sharedPieces(conf);
    for (const chain of shared.chains) if (!table.chains.has(chain)) out.push(`-N ${chain}`);
    if (shared.mark) {
      const markSet = table.rules.some((r) => r.chain === SETMARK_CHAIN && optionValue(r.words, '--set-xmark') === shared.mark);
      if (!markSet) out.push(`-A ${line([SETMARK_CHAIN, '-m', 'comment', '--comment', SETMARK_COMMENT, '-j', 'MARK', '--set-xmark', shared.mark])}`);
      const masq = table.rules.some((r) => r.chain === MASQ_CHAIN && optionValue(r.words, '--mark') === shared.mark);
      if (!masq) out.push(`-A ${line([MASQ_CHAIN, '-m', 'mark', '--mark', shared.mark, '-j', 'MASQUERADE'])}`);
    }
    for (const jump of shared.jumps) if (!hasJump(table, jump.from, jump.to)) out.push(jump.line);
    // Replace this container's entry rules.
    for (const old of jumpsTo(table, own.chain)) out.push(`-D ${old.chain} ${old.spec}`);
  }
  // New entry rules go first so the latest container wins a port.
  for (const rule of [...own.entry].reverse()) out.push(`-I ${TOP_DNAT_CHAIN} 1 ${line(rule)}`);
  for (const rule of own.rules) out.push(`-A ${own.chain} ${line(rule)}`);
  out.push('COMMIT', '');
  return out.join('\n');
}

/** The UDP host ports a saved container chain forwards (read back for conntrack flushing). */
export function udpPortsOf(table: NatTable, chain: string): number[] {
  const ports = table.rules
    .filter((r) => r.chain === chain && jumpTarget(r) === 'DNAT' && optionValue(r.words, '-p') === 'udp')
    .map((r) => Number(optionValue(r.words, '--dport')))
    .filter((p) => Number.isInteger(p) && p > 0);
  return [...new Set(ports)];
}

/**
 * A script removing a container's chains (and the legacy CNI-SN-* chain) with every rule that
 * jumps to them; undefined when the table holds none of them.
 */
export function removeScript(table: NatTable, network: string, containerId: string): string | undefined {
  const out: string[] = [];
  for (const chain of [iptablesDnatChain(network, containerId), iptablesLegacySnatChain(network, containerId)]) {
    for (const r of jumpsTo(table, chain)) out.push(`-D ${r.chain} ${r.spec}`);
    if (table.chains.has(chain)) out.push(`-F ${chain}`, `-X ${chain}`);
  }
  return out.length === 0 ? undefined : ['*nat', ...out, 'COMMIT', ''].join('\n');
}

/** Containers of `network` that have entry rules in CNI-HOSTPORT-DNAT (ours or the reference's). */
export function containersOf(table: NatTable, network: string): string[] {
  const ids = new Set<string>();
  for (const r of table.rules) {
    if (r.chain !== TOP_DNAT_CHAIN) continue;
    const owner = parseIptablesDnatComment(optionValue(r.words, '--comment') ?? '');
    if (owner && owner.network === network) ids.add(owner.containerId);
  }
  return [...ids];
}

/** What is missing for a container's mappings of one family; empty when all is in place. */
export function missingRules(conf: PortmapConfig, containerId: string, target: ContainerTarget, table: NatTable): string[] {
  const own = containerRules(conf, containerId, target);
  const missing: string[] = [];
  if (!table.chains.has(own.chain)) return [`chain ${own.chain} does not exist`];
  for (const hook of ['PREROUTING', 'OUTPUT']) {
    if (!hasJump(table, hook, TOP_DNAT_CHAIN)) missing.push(`${hook} has no jump to ${TOP_DNAT_CHAIN}`);
  }
  const entries = jumpsTo(table, own.chain).filter((r) => r.chain === TOP_DNAT_CHAIN);
  const chainRules = table.rules.filter((r) => r.chain === own.chain);
  for (const m of mappingsFor(target.family, conf.mappings)) {
    const what = `${m.protocol}/${m.hostPort}${m.hostIP ? ` on ${m.hostIP}` : ''}`;
    const entered = entries.some(
      (r) => optionValue(r.words, '-p') === m.protocol && (optionValue(r.words, '--dports') ?? '').split(',').includes(String(m.hostPort)),
    );
    if (!entered) missing.push(`no ${TOP_DNAT_CHAIN} rule sends ${what} to ${own.chain}`);
    const dnat = chainRules.some(
      (r) =>
        jumpTarget(r) === 'DNAT' &&
        optionValue(r.words, '-p') === m.protocol &&
        optionValue(r.words, '--dport') === String(m.hostPort) &&
        optionValue(r.words, '--to-destination') === destination(target, m.containerPort) &&
        (m.hostIP ? (optionValue(r.words, '-d') ?? '').split('/')[0] === m.hostIP : !r.words.includes('-d')),
    );
    if (!dnat) missing.push(`no DNAT of ${what} to ${destination(target, m.containerPort)} in ${own.chain}`);
    if (conf.snat) {
      const marked = chainRules.some((r) => jumpTarget(r) !== 'DNAT' && optionValue(r.words, '--dport') === String(m.hostPort) && r.words.includes('-s'));
      if (!marked) missing.push(`no masquerade mark rule for ${what} in ${own.chain}`);
    }
  }
  return missing;
}
