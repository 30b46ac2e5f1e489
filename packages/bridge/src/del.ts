import { existsSync } from 'node:fs';
import { delegate, type CallContext } from '@cni-ts/core';
import { resultFamilies } from '@cni-ts/core/net/result-families';
import { inNetns } from '@cni-ts/linux/netns';
import type { CommandRunner } from '@cni-ts/linux/run';
import { owner } from './add.ts';
import { parseConfig } from './config.ts';
import { teardownMasq } from './masq/index.ts';
import { teardownSpoofCheck } from './spoofcheck.ts';

/**
 * DEL: remove the container's link, its firewall rules (found by name and comment, so they go
 * even when the netns is gone) and its IPAM reservation, all at once. Missing things are
 * success, so DEL can be repeated and works with CNI_NETNS empty.
 */
export async function del(ctx: CallContext, runner: CommandRunner): Promise<void> {
  const cfg = parseConfig(ctx.config, ctx.cniArgs);
  const tasks: Array<Promise<unknown>> = [];
  if (ctx.netns && existsSync(ctx.netns)) tasks.push(deleteContainerLink(runner, ctx.netns, ctx.ifName));
  if (cfg.ipMasq) tasks.push(teardownMasq(runner, owner(ctx), resultFamilies(ctx.prevResult)));
  if (cfg.macspoofchk) tasks.push(teardownSpoofCheck(runner, ctx.containerId, ctx.ifName));
  if (cfg.ipamType) tasks.push(delegate(ctx, cfg.ipamType, 'DEL', ctx.config));
  const failed = (await Promise.allSettled(tasks)).flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  if (failed.length === 1) throw failed[0];
  if (failed.length > 1) throw new Error(failed.map((e) => e.message).join('; '));
}

/** Deleting the container end deletes the pair; a link or namespace already gone is fine. */
async function deleteContainerLink(runner: CommandRunner, netns: string, ifName: string): Promise<void> {
  const r = await runner.run(inNetns(netns, ['ip', 'link', 'del', 'dev', ifName]));
  if (r.code === 0 || /Cannot find device|does not exist|reassociate to namespace|No such file/.test(r.stderr)) return;
  throw new Error(`cannot delete ${ifName} in ${netns}: ${r.stderr.trim()}`);
}
