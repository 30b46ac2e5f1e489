import { CniError, ErrorCode } from '@cni-ts/core';
import { runChecked, type CommandRunner } from '@cni-ts/linux';
import { parseNftListing, type NftListing } from '@cni-ts/linux/netfilter/nft-listing';
import type { Forwarder, ForwardRequest, UdpPort } from '../forwarder.ts';
import { mappingsFor } from '../mappings.ts';
import { nftChains, parseNftComment, type Attachment } from '../naming.ts';
import { forwardOf, elementTarget } from './listing.ts';
import { referenceRuleDeletions } from './reference.ts';
import {
  MAPS,
  addElement,
  attachmentRules,
  deleteElement,
  dropChains,
  getElementArgv,
  hostPortMap,
  listChainArgv,
  listTableArgv,
  portKey,
  skeleton,
  type ElementKey,
} from './rules.ts';

/** Map elements an attachment's DNAT rules imply: its host ports, and its address for masquerade. */
function elementsOf(listing: NftListing, chain: string, snatChain: string): ElementKey[] {
  const out: ElementKey[] = [];
  const add = (e: ElementKey): void => void (out.some((o) => o.map === e.map && o.key === e.key) || out.push(e));
  for (const f of listing.rules.filter((r) => r.chain === chain).map(forwardOf)) {
    if (!f) continue;
    add({ map: hostPortMap(f.family, f.hostIP), key: portKey(f.family, f.protocol, f.hostPort, f.hostIP), chain });
    add({ map: f.family === 6 ? MAPS.masq6 : MAPS.masq4, key: f.to, chain: snatChain });
  }
  return out;
}

function udpPorts(listing: NftListing, chain: string): UdpPort[] {
  const out: UdpPort[] = [];
  for (const f of listing.rules.filter((r) => r.chain === chain).map(forwardOf)) {
    if (f?.protocol === 'udp' && !out.some((u) => u.family === f.family && u.port === f.hostPort)) out.push({ family: f.family, port: f.hostPort });
  }
  return out;
}

/**
 * The nftables backend: one `nft -f -` transaction per call. ADD writes without reading (every
 * statement is idempotent); DEL reads only its own chain and the few map elements it may own,
 * so neither grows with the number of mapped pods.
 */
export class NftablesForwarder implements Forwarder {
  readonly name = 'nftables' as const;
  constructor(private readonly runner: CommandRunner) {}

  private apply(statements: readonly string[]): Promise<string> {
    return runChecked(this.runner, ['nft', '-f', '-'], { input: `${statements.join('\n')}\n` });
  }

  /** Which chain each element currently jumps to (undefined: no such element). */
  private owners(elements: readonly ElementKey[]): Promise<(string | undefined)[]> {
    return Promise.all(
      elements.map(async (e) => {
        const r = await this.runner.run(getElementArgv(e));
        return r.code === 0 ? elementTarget(r.stdout) : undefined;
      }),
    );
  }

  async usable(): Promise<boolean> {
    return (await this.runner.run(['nft', 'list', 'tables'])).code === 0;
  }

  async add(req: ForwardRequest): Promise<void> {
    const own = attachmentRules(req.conf, req.att, req.targets);
    const statements = [...skeleton(), ...own.statements, ...own.elements.map(addElement)];
    try {
      await this.apply(statements);
    } catch (err) {
      // A port another attachment holds makes `add element` fail: the latest ADD takes it over
      // (as the reference's iptables rules do), so drop the other's element in the same transaction.
      const owners = await this.owners(own.elements);
      const taken = own.elements.filter((e, i) => owners[i] !== undefined && owners[i] !== e.chain);
      if (taken.length === 0) throw err;
      await this.apply([...skeleton(), ...taken.map(deleteElement), ...own.statements, ...own.elements.map(addElement)]);
    }
  }

  /** The attachment's own chain as listed, or undefined when it (or the table) does not exist. */
  private async readChain(chain: string): Promise<NftListing | undefined> {
    const r = await this.runner.run(listChainArgv(chain));
    return r.code === 0 ? parseNftListing(r.stdout) : undefined;
  }

  async check(req: ForwardRequest): Promise<void> {
    const own = attachmentRules(req.conf, req.att, req.targets);
    const listing = await this.readChain(own.chains.dnat);
    const where = `portmap (nftables) for ${req.att.containerId}`;
    if (!listing) throw new CniError(ErrorCode.Internal, `${where}: chain ${own.chains.dnat} does not exist`);
    const forwards = listing.rules.map(forwardOf);
    const missing: string[] = [];
    for (const t of req.targets) {
      for (const m of mappingsFor(t.family, req.conf.mappings)) {
        const found = forwards.some(
          (f) => f && f.family === t.family && f.protocol === m.protocol && f.hostPort === m.hostPort && f.hostIP === m.hostIP && f.to === t.ip && f.toPort === m.containerPort,
        );
        if (!found) missing.push(`no DNAT of ${m.protocol}/${m.hostPort} to ${t.ip}:${m.containerPort}`);
      }
    }
    const owners = await this.owners(own.elements);
    own.elements.forEach((e, i) => {
      if (owners[i] !== e.chain) missing.push(`map ${e.map} does not send { ${e.key} } to ${e.chain}${owners[i] ? ` (it goes to ${owners[i]})` : ''}`);
    });
    if (missing.length > 0) throw new CniError(ErrorCode.Internal, `${where}: ${missing.join('; ')}`);
  }

  async remove(att: Attachment): Promise<UdpPort[]> {
    const chains = nftChains(att);
    const [listing, reference] = await Promise.all([this.readChain(chains.dnat), referenceRuleDeletions(this.runner, att.containerId)]);
    if (reference.statements.length > 0) await this.apply(reference.statements);
    if (!listing) return reference.udp;
    const elements = elementsOf(listing, chains.dnat, chains.snat);
    const owners = await this.owners(elements);
    // Delete only the elements still ours: a later ADD may have taken a port over.
    const mine = elements.filter((e, i) => owners[i] === e.chain);
    try {
      await this.apply([...mine.map(deleteElement), ...dropChains([chains.dnat, chains.snat])]);
    } catch {
      // A chain still jumped to (an element its rules no longer show, e.g. from an ADD repeated
      // with other ports) cannot be deleted: find every element pointing at it and retry.
      await this.removeChains(new Set([chains.dnat, chains.snat]));
    }
    return [...udpPorts(listing, chains.dnat), ...reference.udp];
  }

  /** Remove chains and every map element leading to them, from a full listing (slow path, GC). */
  private async removeChains(chains: Set<string>, known?: NftListing): Promise<void> {
    const listing = known ?? parseNftListing(await runChecked(this.runner, listTableArgv()));
    const statements: string[] = [];
    for (const [map, elements] of listing.maps) {
      for (const e of elements) if (e.target && chains.has(e.target)) statements.push(deleteElement({ map: map as ElementKey['map'], key: e.key }));
    }
    statements.push(...dropChains([...chains]));
    await this.apply(statements);
  }

  async gc(network: string, keep: readonly Attachment[]): Promise<UdpPort[]> {
    const r = await this.runner.run(listTableArgv());
    if (r.code !== 0) return [];
    const listing = parseNftListing(r.stdout);
    const kept = new Set(keep.flatMap((a) => Object.values(nftChains(a))));
    const stale = new Set<string>();
    for (const rule of listing.rules) {
      const owner = rule.comment ? parseNftComment(rule.comment) : undefined;
      if (owner?.network === network && /^[ds]n-/.test(rule.chain) && !kept.has(rule.chain)) stale.add(rule.chain);
    }
    if (stale.size === 0) return [];
    await this.removeChains(stale, listing);
    return [...stale].filter((c) => c.startsWith('dn-')).flatMap((c) => udpPorts(listing, c));
  }
}
