import type { NetworkList } from '../conf/load.ts';
import { ChainRunner, type Attachment } from '../runtime/chain.ts';
import type { Node } from './context.ts';
import { staleness } from './checks/owners.ts';
import { ok, problem, type Finding } from './finding.ts';

/** One fix proven safe: the DEL of an attachment that cannot be alive. */
export interface StaleDel {
  list: NetworkList;
  attachment: Attachment;
  why: string;
}

/**
 * The fixes doctor may apply on its own: DEL (as the runtime would have) of each attachment
 * proven dead: a cached one whose netns is gone or that predates the boot, and the owner of a
 * reservation made before the boot that no cache entry knows. Nothing that is merely unknown
 * to this cache is touched: another runtime may keep its cache elsewhere.
 */
export function planFixes(node: Node): StaleDel[] {
  const plan = new Map<string, StaleDel>();
  for (const [network, state] of node.states) {
    const list = node.entries.find((e) => e.list?.name === network)!.list!;
    for (const a of state.attachments) {
      const why = staleness(node, a, undefined);
      if (why?.proven) plan.set(`${network}\0${a.containerId}\0${a.ifName}`, { list, attachment: a, why: why.why });
    }
    for (const r of state.reservations) {
      if (!r.containerId || !r.ifName) continue; // an owner without an interface cannot be DELed exactly
      if (state.attachments.some((a) => a.containerId === r.containerId && a.ifName === r.ifName)) continue;
      const why = staleness(node, undefined, r.mtimeMs, r.previousBoot);
      const k = `${network}\0${r.containerId}\0${r.ifName}`;
      if (why?.proven && !plan.has(k)) {
        plan.set(k, { list, attachment: { containerId: r.containerId, ifName: r.ifName, netns: '', cniArgs: [], capabilityArgs: {} }, why: `${r.ip} ${why.why}, no cache entry` });
      }
    }
  }
  return [...plan.values()];
}

const describe = (d: StaleDel): string => `DEL ${d.attachment.containerId}/${d.attachment.ifName} on ${d.list.name} (${d.why})`;

export const dryRunFindings = (plan: StaleDel[]): Finding[] => plan.map((d) => ok('fix (dry run)', `would ${describe(d)}`));

/** Carry the plan out; each DEL's outcome is a finding. */
export async function applyFixes(node: Node, plan: StaleDel[]): Promise<Finding[]> {
  const runner = new ChainRunner(node.invoker, node.cache, node.binDirs);
  const out: Finding[] = [];
  for (const d of plan) {
    try {
      await runner.del(d.list, d.attachment);
      out.push(ok('fix', `done: ${describe(d)}`));
    } catch (e) {
      out.push(problem('fix', `failed: ${describe(d)}: ${(e as Error).message}`, `retry with cnictl del ${d.list.name} ${d.attachment.netns || '<netns>'} --container-id ${d.attachment.containerId} --ifname ${d.attachment.ifName}`));
    }
  }
  return out;
}
