import { CniError, ErrorCode } from '@cni-ts/core';
import { IpBatch, IpBatchError, runIpBatch } from '@cni-ts/linux/ip/batch';
import { parseLinks, type LinkState } from '@cni-ts/linux/ip/query';
import type { CommandRunner } from '@cni-ts/linux/run';

/** The one interface this plugin manages, whatever CNI_IFNAME says (as the reference does). */
export const LOOPBACK = 'lo';

/**
 * Run `link set dev lo up|down` and read `lo` back, as one batch in `netns`: the executables
 * carry it out over one rtnetlink socket in that namespace, with no process.
 */
async function setLoopback(runner: CommandRunner, netns: string, state: 'up' | 'down'): Promise<LinkState> {
  const batch = new IpBatch().add('link', 'set', 'dev', LOOPBACK, state).add('addr', 'show', 'dev', LOOPBACK);
  return onlyLink(await runBatch(runner, netns, batch));
}

export const setLoopbackUp = (runner: CommandRunner, netns: string): Promise<LinkState> => setLoopback(runner, netns, 'up');
export const setLoopbackDown = (runner: CommandRunner, netns: string): Promise<LinkState> => setLoopback(runner, netns, 'down');

/** `lo` of `netns` with its addresses. */
export async function showLoopback(runner: CommandRunner, netns: string): Promise<LinkState> {
  return onlyLink(await runBatch(runner, netns, new IpBatch().add('addr', 'show', 'dev', LOOPBACK)));
}

async function runBatch(runner: CommandRunner, netns: string, batch: IpBatch): Promise<string> {
  try {
    return await runIpBatch(runner, netns, batch, ['-d', '-json']);
  } catch (err) {
    if (!(err instanceof IpBatchError)) throw err;
    // A namespace that cannot be entered (not a netns, no permission) fails before any line runs.
    if (err.line < 0) throw new CniError(ErrorCode.InvalidNetns, `CNI_NETNS ${netns}: ${err.stderr.trim()}`);
    throw new CniError(ErrorCode.Internal, err.message);
  }
}

function onlyLink(json: string): LinkState {
  const link = parseLinks(json)[0];
  if (!link) throw new CniError(ErrorCode.Internal, `no "${LOOPBACK}" interface in the network namespace`);
  return link;
}
