import type { Plugin } from '@cni-ts/core';
import { IpNetlinkRunner } from '@cni-ts/linux/ip/netlink-runner';
import { NetnsRunner } from '@cni-ts/linux/ip/ns-runner';
import type { CommandRunner } from '@cni-ts/linux/run';
import { add, check, del } from './verbs.ts';

/**
 * The loopback plugin: `lo` up (ADD) and down (DEL) in the container's namespace. `runner` is the
 * door to host commands (a recording fake in unit tests); the executables carry its `ip -batch`
 * work out over rtnetlink, so no `ip` process runs.
 */
export function loopbackPlugin(runner: CommandRunner = new IpNetlinkRunner(new NetnsRunner())): Plugin {
  return {
    name: 'loopback',
    entersNetns: true,
    add: (ctx) => add(ctx, runner),
    del: (ctx) => del(ctx, runner),
    check: (ctx) => check(ctx, runner),
    // lo depends on nothing that can be unavailable, and keeps no state that could go stale.
    status: async () => undefined,
    gc: async () => undefined,
  };
}

export const plugin: Plugin = loopbackPlugin();
