import { CniError, ErrorCode } from '@cni-ts/core';
import { canStart, checkedOutput, type CommandRunner, type StartedCommand } from '@cni-ts/linux';
import type { FileLock } from '@cni-ts/linux/lock';
import type { Family } from '@cni-ts/core/net/ip';
import { iptablesTool as tool } from '@cni-ts/linux/netfilter/iptables';
import type { PortmapConfig } from '../config.ts';
import type { Forwarder, ForwardRequest, UdpPort } from '../forwarder.ts';
import { mappingsFor, type ContainerTarget } from '../mappings.ts';
import { iptablesDnatChain, iptablesLegacySnatChain, type Attachment } from '../naming.ts';
import type { NatProbe } from './nat-probe.ts';
import { addScript, containersOf, entryRules, missingRules, removeScript, TOP_DNAT_CHAIN, udpPortsOf } from './rules.ts';
import { parseNatTable, type NatTable } from './save.ts';

const restoreArgv = (family: Family): string[] => [tool(family, 'restore'), '-w', '--noflush'];

/**
 * The iptables backend: per family, one `iptables-save -t nat` to learn what exists and one
 * `iptables-restore --noflush -w` transaction to change it. An ADD whose shared rules are all in
 * place (every ADD but a node's first, on iptables-nft) learns so from the probe instead of
 * iptables-save, and writes only the container's own rules.
 */
export class IptablesForwarder implements Forwarder {
  readonly name = 'iptables' as const;
  /** The IPv4 table read by usable(), handed once to the read that follows it in the same call. */
  private probed: NatTable | undefined;
  /** The nat lock while some family of this call holds it. */
  private natLockHeld: { lock: Promise<FileLock | undefined>; users: number } | undefined;

  constructor(
    private readonly runner: CommandRunner,
    private readonly probe?: NatProbe,
    /** Taken by an ADD that writes shared rules: one at a time per node namespace. */
    private readonly natLock?: () => Promise<FileLock>,
  ) {}

  /**
   * The nat table of one family, or undefined when that family's iptables is unusable (missing,
   * no CAP_NET_ADMIN). A table iptables cannot show (iptables-nft prints only "# Table `nat' is
   * incompatible" when it holds rules written with nft) is an error: what portmap made may be in
   * it, unseen, and calling that "nothing there" would leak it.
   */
  private async read(family: Family): Promise<NatTable | undefined> {
    if (family === 4 && this.probed) {
      const table = this.probed;
      this.probed = undefined;
      return table;
    }
    const r = await this.runner.run([tool(family, 'save'), '-t', 'nat']);
    if (r.code !== 0) return undefined;
    const incompatible = /^# Table `nat' is incompatible.*$/m.exec(r.stdout);
    if (incompatible) {
      throw new CniError(ErrorCode.IoFailure, `${tool(family, 'save')} -t nat cannot show the nat table (it says: ${incompatible[0]}); rules written there with nft must go before portmap can manage its own`);
    }
    return parseNatTable(r.stdout);
  }

  /** One transaction; `started`: the family's restore, already running and waiting for it. */
  private async apply(family: Family, script: string, started?: StartedCommand): Promise<void> {
    const argv = restoreArgv(family);
    checkedOutput(argv, started ? await started.finish(script) : await this.runner.run(argv, { input: script }));
  }

  /**
   * Whether this backend can work here. On iptables-nft the probe answers from the kernel (the
   * restore tool found on PATH, nfnetlink answering with CAP_NET_ADMIN); elsewhere iptables-save
   * must read the table, and that read is kept, so the ADD that follows needs no second one.
   */
  async usable(): Promise<boolean> {
    if (await this.probe?.available()) return true;
    this.probed = await this.read(4);
    return this.probed !== undefined;
  }

  async add(req: ForwardRequest): Promise<void> {
    // The families are separate tables: write them side by side.
    const results = await Promise.allSettled(req.targets.map((t) => this.addFamily(req, t)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (!failed) return;
    // One family in place and the other failed: take the first back out, ADD leaves nothing half-made.
    const done = req.targets.filter((_, i) => results[i]!.status === 'fulfilled');
    await Promise.all(done.map((t) => this.removeFamily(t.family, req.att.network, req.att.containerId).catch(() => undefined)));
    throw failed.reason;
  }

  private async addFamily(req: ForwardRequest, target: ContainerTarget): Promise<void> {
    const write = async (): Promise<void> => {
      // Started before the table is read, where the runner can, so that its start-up overlaps the read.
      const restore = canStart(this.runner) ? await this.runner.start(restoreArgv(target.family)) : undefined;
      let unlock: (() => Promise<void>) | undefined;
      try {
        let script: string;
        try {
          if (await this.onlyOwnRulesMissing(req, target)) {
            script = addScript(req.conf, req.att.containerId, target);
          } else {
            // ADDs that all find the shared rules missing (a node's first pods, started together)
            // would each write them: from read to write, one at a time.
            unlock = await this.lockNat();
            script = await this.fullAddScript(req, target);
          }
        } catch (err) {
          await restore?.finish(''); // an empty transaction: it changes nothing and exits
          throw err;
        }
        await this.apply(target.family, script, restore);
      } finally {
        await unlock?.();
      }
    };
    try {
      await write();
    } catch (err) {
      if (err instanceof CniError) throw err;
      // Most likely a concurrent ADD created a shared chain between our read and our write.
      await write();
    }
  }

  /**
   * Take the nat lock, or share it with the other family of this call if that holds it already:
   * a second flock from this single thread would wait for the first forever. A lock that cannot
   * be taken (the Node bundle on a host without flock(1)) is done without: at worst a shared rule
   * is written twice, which no packet notices, where failing the ADD would stop the pod.
   */
  private async lockNat(): Promise<() => Promise<void>> {
    if (!this.natLock) return async () => undefined;
    const held = (this.natLockHeld ??= { lock: this.natLock().catch(() => undefined), users: 0 });
    held.users++;
    const lock = await held.lock;
    return async () => {
      if (--held.users > 0) return;
      this.natLockHeld = undefined;
      await lock?.release();
    };
  }

  /** Whether the probe finds every shared piece in place and the container's chain new. */
  private async onlyOwnRulesMissing(req: ForwardRequest, target: ContainerTarget): Promise<boolean> {
    return (await this.probe?.onlyOwnRulesMissing(req.conf, target.family, iptablesDnatChain(req.conf.network, req.att.containerId))) ?? false;
  }

  /** The ADD transaction of one family from the table as iptables-save shows it: what is missing of the shared rules, then the container's. */
  private async fullAddScript(req: ForwardRequest, target: ContainerTarget): Promise<string> {
    const table = await this.read(target.family);
    if (!table) throw new CniError(ErrorCode.IoFailure, `${tool(target.family, 'save')} cannot read the nat table`);
    return addScript(req.conf, req.att.containerId, target, table);
  }

  async check(req: ForwardRequest): Promise<void> {
    for (const target of req.targets) {
      const table = await this.read(target.family);
      if (!table) throw new CniError(ErrorCode.IoFailure, `${tool(target.family, 'save')} cannot read the nat table`);
      const missing = missingRules(req.conf, req.att.containerId, target, table);
      if (missing.length > 0) {
        throw new CniError(ErrorCode.Internal, `portmap (iptables, IPv${target.family}) for ${req.att.containerId}: ${missing.join('; ')}`);
      }
    }
  }

  private async removeFamily(family: Family, network: string, containerId: string, known?: PortmapConfig): Promise<UdpPort[]> {
    const dnat = iptablesDnatChain(network, containerId);
    const present = await this.probe?.chainsPresent(family, [dnat, iptablesLegacySnatChain(network, containerId)]);
    // Most DELs find nothing (a pod without hostPorts, a second DEL): known in-process, no process.
    if (present && !present.some(Boolean)) return [];
    // The chain is there and the DEL carries the mappings: the chain and the entry rules their
    // ADD wrote go in one transaction over nfnetlink, no process. Anything else (other mappings
    // at ADD, another jump to the chain, a refusal) reads the table.
    if (present?.[0] && !present[1] && known && known.mappings.length > 0) {
      const entries = entryRules(known, containerId, family).length;
      if (await this.probe!.removeChain(family, dnat, [TOP_DNAT_CHAIN], entries)) {
        return mappingsFor(family, known.mappings).filter((m) => m.protocol === 'udp').map((m) => ({ family, port: m.hostPort }));
      }
    }
    const table = await this.read(family);
    if (!table) return [];
    const script = removeScript(table, network, containerId);
    if (!script) return [];
    await this.apply(family, script);
    return udpPortsOf(table, dnat).map((port) => ({ family, port }));
  }

  /** One table per family: a family the attachment never had costs no `*tables-save`. */
  async remove(att: Attachment, families: readonly Family[] = [4, 6], known?: PortmapConfig): Promise<UdpPort[]> {
    const removed = await Promise.all(families.map((f) => this.removeFamily(f, att.network, att.containerId, known)));
    return removed.flat();
  }

  async gc(network: string, keep: readonly Attachment[]): Promise<UdpPort[]> {
    // The reference's names carry no interface name: an id with any valid attachment keeps its rules.
    const kept = new Set(keep.map((a) => a.containerId));
    const out: UdpPort[] = [];
    for (const family of [4, 6] as const) {
      const table = await this.read(family);
      if (!table) continue;
      const stale = containersOf(table, network).filter((id) => !kept.has(id));
      // One transaction for every stale container of this family.
      const scripts = stale.map((id) => removeScript(table, network, id) ?? '');
      if (scripts.join('') !== '') await this.apply(family, scripts.join(''));
      for (const id of stale) out.push(...udpPortsOf(table, iptablesDnatChain(network, id)).map((port) => ({ family, port })));
    }
    return out;
  }
}
