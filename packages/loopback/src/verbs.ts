import { existsSync } from 'node:fs';
import { CniError, ErrorCode, type CallContext, type Result } from '@cni-ts/core';
import type { CommandRunner } from '@cni-ts/linux/run';
import { setLoopbackDown, setLoopbackUp, showLoopback } from './lo.ts';
import { loopbackResult } from './result.ts';

function requireNetns(netns: string): void {
  if (!existsSync(netns)) throw new CniError(ErrorCode.InvalidNetns, `CNI_NETNS ${netns} does not exist`);
}

/**
 * ADD: `lo` up in CNI_NETNS. In a chain (a prevResult came in) the previous result passes through
 * unchanged, as the reference does; alone, the result describes lo.
 */
export async function add(ctx: CallContext, runner: CommandRunner): Promise<Result> {
  requireNetns(ctx.netns);
  const lo = await setLoopbackUp(runner, ctx.netns);
  const own = loopbackResult(lo, ctx.netns);
  return ctx.prevResult ?? own;
}

/**
 * DEL: `lo` down. Nothing to do when the runtime sends no netns (containerd's second DEL of a
 * pod) or the namespace is already gone; repeating DEL is harmless.
 */
export async function del(ctx: CallContext, runner: CommandRunner): Promise<void> {
  if (ctx.netns === '' || !existsSync(ctx.netns)) return;
  await setLoopbackDown(runner, ctx.netns);
}

/** CHECK: what the reference checks, that `lo` is up in CNI_NETNS. */
export async function check(ctx: CallContext, runner: CommandRunner): Promise<void> {
  requireNetns(ctx.netns);
  const lo = await showLoopback(runner, ctx.netns);
  if (!lo.flags.includes('UP')) throw new CniError(ErrorCode.Internal, 'loopback interface is down');
}
