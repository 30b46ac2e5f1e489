import { existsSync } from 'node:fs';
import { delegate, type CallContext } from '@cni-ts/core';
import { parseIP, type IP } from '@cni-ts/core/net/ip';
import { resultAddresses } from '@cni-ts/core/net/result-families';
import { IpBatch, IpBatchError, runIpBatch } from '@cni-ts/linux/ip/batch';
import { showLinks } from '@cni-ts/linux/ip/query';
import type { CommandRunner } from '@cni-ts/linux/run';
import { owner } from './add.ts';
import { parseConfig } from './config.ts';
import { teardownMasq, type MasqSources } from './masq/index.ts';
import { teardownSpoofCheck } from './spoofcheck.ts';

/**
 * DEL: remove the container's link, its firewall rules (found by name and comment, so they go
 * even when the netns is gone) and its IPAM reservation, all at once. Missing things are
 * success, so DEL can be repeated and works with CNI_NETNS empty.
 */
export async function del(ctx: CallContext, runner: CommandRunner): Promise<void> {
  const cfg = parseConfig(ctx.config, ctx.cniArgs);
  const tasks: Array<Promise<unknown>> = [];
  if (cfg.ipamType) tasks.push(delegate(ctx, cfg.ipamType, 'DEL', ctx.config));
  if (cfg.ipMasq) tasks.push(teardownMasq(runner, owner(ctx), masqSources(runner, ctx)));
  if (cfg.macspoofchk) tasks.push(teardownSpoofCheck(runner, ctx.containerId, ctx.ifName));
  // Last: over rtnetlink this request holds the thread while the kernel takes the veth down
  // (~10-20 ms, mostly waiting), so what can run beside it starts first.
  if (ctx.netns && existsSync(ctx.netns)) tasks.push(deleteContainerLink(runner, ctx.netns, ctx.ifName));
  const failed = (await Promise.allSettled(tasks)).flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  if (failed.length === 1) throw failed[0];
  if (failed.length > 1) throw new Error(failed.map((e) => e.message).join('; '));
}

/**
 * Deleting the container end deletes the pair; a link or namespace already gone is fine. As a
 * batch, the executables send it over rtnetlink: no `ip` process.
 */
async function deleteContainerLink(runner: CommandRunner, netns: string, ifName: string): Promise<void> {
  try {
    await runIpBatch(runner, netns, new IpBatch().add('link', 'del', 'dev', ifName));
  } catch (err) {
    if (err instanceof IpBatchError && (err.noDevice || /reassociate to namespace|No such file/.test(err.stderr))) return;
    throw new Error(`cannot delete ${ifName} in ${netns}: ${(err as Error).message}`);
  }
}

/**
 * Which masquerade rules are this interface's (another interface of the container may share
 * its chain): its addresses in prevResult; without one, all but those of addresses the
 * container's other interfaces still hold; with the namespace gone, all of them.
 */
function masqSources(runner: CommandRunner, ctx: CallContext): MasqSources {
  const mine = resultAddresses(ctx.prevResult);
  if (mine) return { mine };
  if (!ctx.netns || !existsSync(ctx.netns)) return {};
  return { heldByOthers: () => addressesBesides(runner, ctx.netns, ctx.ifName) };
}

/** The addresses of every interface but `ifName` in `netns` (none when it is gone meanwhile). */
async function addressesBesides(runner: CommandRunner, netns: string, ifName: string): Promise<IP[]> {
  const links = await showLinks(runner, netns).catch(() => []);
  return links.filter((l) => l.name !== ifName).flatMap((l) => l.addrs.flatMap((a) => parseIP(a.local) ?? []));
}
