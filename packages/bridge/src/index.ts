import { delegate, type CallContext, type Plugin } from '@cni-ts/core';
import { IpNetlinkRunner } from '@cni-ts/linux/ip/netlink-runner';
import { NetnsRunner } from '@cni-ts/linux/ip/ns-runner';
import { NftProbeRunner } from '@cni-ts/linux/netfilter/nft-probe-runner';
import type { CommandRunner } from '@cni-ts/linux/run';
import { add } from './add.ts';
import { check } from './check.ts';
import { parseConfig } from './config.ts';
import { del } from './del.ts';
import { gcMasq } from './masq/index.ts';
import { status } from './status.ts';

/**
 * The bridge plugin; `runner` is the door to host commands (a recording fake in unit tests). The
 * executables carry out its `ip -batch` work over rtnetlink, find missing nftables tables over
 * nfnetlink, and run its other container commands with setns; each falls back to processes
 * where it cannot.
 */
export function bridgePlugin(runner: CommandRunner = new IpNetlinkRunner(new NftProbeRunner(new NetnsRunner()))): Plugin {
  return {
    name: 'bridge',
    entersNetns: true,
    add: (ctx) => add(ctx, runner),
    del: (ctx) => del(ctx, runner),
    check: (ctx) => check(ctx, runner),
    status: (ctx) => status(ctx, runner),
    gc: (ctx) => gc(ctx, runner),
  };
}

/** GC: masquerade rules of attachments not in the valid list, then IPAM's own GC. */
async function gc(ctx: CallContext, runner: CommandRunner): Promise<void> {
  const cfg = parseConfig(ctx.config, ctx.cniArgs);
  const errors: string[] = [];
  await gcMasq(runner, ctx.config.name, ctx.validAttachments ?? []).catch((e: Error) => errors.push(e.message));
  if (cfg.ipamType) await delegate(ctx, cfg.ipamType, 'GC', ctx.config).catch((e: Error) => errors.push(e.message));
  if (errors.length > 0) throw new Error(`GC: ${errors.join('; ')}`);
}

export const plugin: Plugin = bridgePlugin();
