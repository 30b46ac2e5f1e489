/**
 * `cnictl lab up|status|down`: a multi-node flannel cluster on one machine. Each node is a
 * network namespace plugged into a shared underlay; flanneld's part (subnet.env, the VXLAN
 * device and its routes, neighbour and FDB entries) is played by the lab; pods are namespaces
 * attached by the node's 10-flannel.conflist through the real plugin executables.
 */
import { err, out, UsageError } from '../cli/output.ts';
import { labDown } from './down.ts';
import { parseLabOptions } from './options.ts';
import { loadState } from './state.ts';
import { formatStatus, podViews } from './status.ts';
import { labUp } from './up.ts';

export { labDemo } from './demo.ts';

const USAGE = 'usage: cnictl lab up|status|down [--runtime namespace|containerd] [--nodes N] [--pods-per-node N|N1,N2,..] [--dual-stack] [--prefix P] [--state-dir D] [--bin-dir D] [--cni-path P]';

export async function lab(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb !== 'up' && verb !== 'status' && verb !== 'down') throw new UsageError(USAGE);
  const o = parseLabOptions(rest);
  if (verb === 'up') {
    try {
      const state = await labUp({ ...o, say: out });
      out(formatStatus(state, await podViews(state)));
      return 0;
    } catch (e) {
      err(`cnictl lab up: ${(e as Error).message}\nwhat was made is recorded in ${o.stateDir}: "cnictl lab down --state-dir ${o.stateDir}" removes it`);
      return 1;
    }
  }
  if (verb === 'down') {
    const problems = await labDown(o.stateDir, out);
    for (const p of problems) err(`cnictl lab down: ${p}`);
    return problems.length === 0 ? 0 : 1;
  }
  const state = loadState(o.stateDir);
  if (!state) {
    err(`no lab state in ${o.stateDir} (cnictl lab up)`);
    return 1;
  }
  out(formatStatus(state, await podViews(state)));
  return 0;
}
