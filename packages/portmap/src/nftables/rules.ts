import type { Family } from '@cni-ts/core/net/ip';
import type { PortmapConfig } from '../config.ts';
import { mappingsFor, type ContainerTarget, type Protocol } from '../mappings.ts';
import { nftChains, nftComment, type Attachment } from '../naming.ts';

/**
 * The nftables layout. Lookups go through verdict maps, so the work per packet and per ADD does
 * not grow with the number of mapped pods:
 *
 *   prerouting, output (nat, dstnat):  fib daddr type local jump hostports_all
 *   hostports_all:  daddr . proto . dport    vmap @hostip4_hostports / @hostip6_hostports
 *                   family . proto . dport   vmap @hostports
 *   masquerading (nat, srcnat):        ct status dnat, daddr vmap @masq4 / @masq6
 *   dn-<hash> / sn-<hash>:             one attachment's DNAT / masquerade rules
 *
 * The table is `inet cni_ts_hostport`, apart from the reference's `ip`/`ip6 cni_hostport`, so
 * both plugins can run on one node without touching each other's rules.
 */
export const TABLE = 'cni_ts_hostport';
const T = `inet ${TABLE}`;

export const MAPS = {
  any: 'hostports',
  hostIp4: 'hostip4_hostports',
  hostIp6: 'hostip6_hostports',
  masq4: 'masq4',
  masq6: 'masq6',
} as const;
export type MapName = (typeof MAPS)[keyof typeof MAPS];

/** One map element owned by an attachment: `key` in nft syntax, pointing at `chain`. */
export interface ElementKey {
  map: MapName;
  key: string;
  chain: string;
}

const ipKw = (f: Family): string => (f === 6 ? 'ip6' : 'ip');
const nfproto = (f: Family): string => (f === 6 ? 'ipv6' : 'ipv4');

/** The shared skeleton; every statement is idempotent, so each ADD can send it. */
export function skeleton(): string[] {
  return [
    `add table ${T} { comment "hostPort mappings (portmap)" ; }`,
    `add map ${T} ${MAPS.any} { type nf_proto . inet_proto . inet_service : verdict ; }`,
    `add map ${T} ${MAPS.hostIp4} { type ipv4_addr . inet_proto . inet_service : verdict ; }`,
    `add map ${T} ${MAPS.hostIp6} { type ipv6_addr . inet_proto . inet_service : verdict ; }`,
    `add map ${T} ${MAPS.masq4} { type ipv4_addr : verdict ; }`,
    `add map ${T} ${MAPS.masq6} { type ipv6_addr : verdict ; }`,
    `add chain ${T} hostports_all`,
    `add chain ${T} prerouting { type nat hook prerouting priority -100 ; policy accept ; }`,
    `add chain ${T} output { type nat hook output priority -100 ; policy accept ; }`,
    `add chain ${T} masquerading { type nat hook postrouting priority 100 ; policy accept ; }`,
    // The fixed rules are rewritten rather than appended, so repeating them never duplicates.
    `flush chain ${T} prerouting`,
    `add rule ${T} prerouting fib daddr type local jump hostports_all`,
    `flush chain ${T} output`,
    `add rule ${T} output fib daddr type local jump hostports_all`,
    `flush chain ${T} hostports_all`,
    `add rule ${T} hostports_all ip daddr . meta l4proto . th dport vmap @${MAPS.hostIp4}`,
    `add rule ${T} hostports_all ip6 daddr . meta l4proto . th dport vmap @${MAPS.hostIp6}`,
    `add rule ${T} hostports_all meta nfproto . meta l4proto . th dport vmap @${MAPS.any}`,
    `flush chain ${T} masquerading`,
    `add rule ${T} masquerading ct status dnat ip daddr vmap @${MAPS.masq4}`,
    `add rule ${T} masquerading ct status dnat ip6 daddr vmap @${MAPS.masq6}`,
  ];
}

/**
 * A host port's map key. The any-address map is keyed by family too, so a mapping for "0.0.0.0"
 * and one for "::" on the same port (two containers) do not take each other's element.
 */
export const portKey = (family: Family, proto: Protocol | string, port: number, hostIP?: string): string =>
  hostIP ? `${hostIP} . ${proto} . ${port}` : `${nfproto(family)} . ${proto} . ${port}`;

export const hostPortMap = (family: Family, hostIP?: string): MapName =>
  hostIP ? (family === 6 ? MAPS.hostIp6 : MAPS.hostIp4) : MAPS.any;

export interface AttachmentRules {
  chains: { dnat: string; snat: string };
  /** Statements that (re)write the attachment's chains. */
  statements: string[];
  /** The map elements that lead to them. */
  elements: ElementKey[];
}

/** The chains, rules and map elements of one attachment, for all its address families. */
export function attachmentRules(conf: PortmapConfig, att: Attachment, targets: readonly ContainerTarget[]): AttachmentRules {
  const chains = nftChains(att);
  const comment = `comment "${nftComment(att)}"`;
  const statements = [`add chain ${T} ${chains.dnat}`, `flush chain ${T} ${chains.dnat}`];
  const snat: string[] = [];
  const elements: ElementKey[] = [];
  const seen = new Set<string>(); // map + key of the elements so far: one each
  for (const t of targets) {
    const ip = ipKw(t.family);
    const conditions = (t.family === 6 ? conf.conditionsV6 : conf.conditionsV4).join(' ');
    const dest = t.family === 6 ? `[${t.ip}]` : t.ip;
    for (const m of mappingsFor(t.family, conf.mappings)) {
      const daddr = m.hostIP ? ` ${ip} daddr ${m.hostIP}` : '';
      statements.push(
        `add rule ${T} ${chains.dnat} meta nfproto ${nfproto(t.family)} ${conditions ? `${conditions} ` : ''}meta l4proto ${m.protocol} th dport ${m.hostPort}${daddr} dnat ${ip} to ${dest}:${m.containerPort} ${comment}`,
      );
      const element = { map: hostPortMap(t.family, m.hostIP), key: portKey(t.family, m.protocol, m.hostPort, m.hostIP), chain: chains.dnat };
      const id = `${element.map} ${element.key}`;
      if (!seen.has(id)) {
        seen.add(id);
        elements.push(element);
      }
    }
    if (conf.snat && mappingsFor(t.family, conf.mappings).length > 0) {
      if (conf.masqAll) snat.push(`add rule ${T} ${chains.snat} meta nfproto ${nfproto(t.family)} masquerade ${comment}`);
      else {
        snat.push(`add rule ${T} ${chains.snat} ${ip} saddr ${t.subnet} masquerade ${comment}`);
        if (t.family === 4) snat.push(`add rule ${T} ${chains.snat} ip saddr 127.0.0.1 masquerade ${comment}`);
      }
      elements.push({ map: t.family === 6 ? MAPS.masq6 : MAPS.masq4, key: t.ip, chain: chains.snat });
    }
  }
  if (snat.length > 0) statements.push(`add chain ${T} ${chains.snat}`, `flush chain ${T} ${chains.snat}`, ...snat);
  return { chains, statements, elements };
}

export const addElement = (e: ElementKey): string => `add element ${T} ${e.map} { ${e.key} : jump ${e.chain} }`;
export const deleteElement = (e: Pick<ElementKey, 'map' | 'key'>): string => `delete element ${T} ${e.map} { ${e.key} }`;

/**
 * Remove chains that may or may not exist: `add` first makes the `delete` safe to repeat.
 * Their map elements must already be gone (a chain still jumped to cannot be deleted).
 */
export const dropChains = (chains: readonly string[]): string[] =>
  chains.flatMap((c) => [`add chain ${T} ${c}`, `flush chain ${T} ${c}`, `delete chain ${T} ${c}`]);

export const listChainArgv = (chain: string): string[] => ['nft', '-j', 'list', 'chain', 'inet', TABLE, chain];
export const listTableArgv = (): string[] => ['nft', '-j', 'list', 'table', 'inet', TABLE];
export const getElementArgv = (e: Pick<ElementKey, 'map' | 'key'>): string[] => ['nft', 'get', 'element', 'inet', TABLE, e.map, `{ ${e.key} }`];
