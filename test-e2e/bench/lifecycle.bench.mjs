// The runtime's whole lifecycle of a pod with masquerade and a hostPort (ADD; DEL with the netns;
// DEL with an empty netns, as containerd's RemovePodSandbox sends it), wall and CPU, ours
// against the reference run alike: bridge(isGateway, ipMasq, hairpinMode) + host-local +
// portmap(one tcp hostPort) on iptables, and the flannel chain with one hostPort. The second
// DEL finds nothing left: its rows are the "repeated DEL" rows.
import { join } from 'node:path';
import { DIST_BIN, benchScratch, flannelNode, lifecycles, versionCalls, podChain, warmUp, referenceBinDir, report, secondDels } from './lib.mjs';

const PODS = Number(process.env.BENCH_LIFECYCLE_PODS ?? 30);

export default async function bench() {
  const scratch = benchScratch('pflc');
  const { dir } = scratch;
  try {
    const goBin = referenceBinDir(dir);
    const { flannel, delegate } = flannelNode(dir);
    const portmap = { type: 'portmap', capabilities: { portMappings: true } };
    const hostPort = (i) => ({ portMappings: [{ hostPort: 21000 + i, containerPort: 80, protocol: 'tcp' }] });
    const bridge = (label) => ({
      type: 'bridge',
      bridge: 'cni-lc0',
      isGateway: true,
      ipMasq: true,
      hairpinMode: true,
      ipam: { type: 'host-local', dataDir: join(dir, label, 'ipam'), ranges: [[{ subnet: '10.125.0.0/16' }]] },
    });
    const conflist = (first) => ({ cniVersion: '1.0.0', name: 'lcnet', plugins: [first, portmap] });
    const chain = (label, first, binDir) => podChain(scratch, label, { conflist: conflist(first(label)), binDir, pods: PODS, capabilityArgs: hostPort });
    const contenders = {
      ours: chain('bo', bridge, DIST_BIN),
      ref: chain('br', bridge, goBin),
      flannelOurs: chain('fo', flannel, DIST_BIN),
      flannelRef: chain('fr', delegate, goBin),
    };
    warmUp(contenders, PODS - 1);
    const runs = await lifecycles(PODS - 1, contenders, versionCalls(contenders.ours.node));
    const starts = { ours: runs.oursVersion, reference: runs.referenceVersion };
    for (const [name, key, first] of [
      ['bridge(isGateway, ipMasq, hairpinMode) + host-local + portmap(one hostPort), iptables', 'ours', 'bridge'],
      ['flannel chain: flannel -> bridge + host-local, then portmap(one hostPort)', 'flannelOurs', 'flannel'],
    ]) {
      const refKey = key === 'ours' ? 'ref' : 'flannelRef';
      const [o, r] = [runs[key], runs[refKey]];
      const [os, rs] = [contenders[key].steps, contenders[refKey].steps];
      const goal = key === 'ours' ? 'bridge + host-local + portmap' : 'flannel chain';
      report(`lifecycle, ${name}; ${PODS - 1} pods, interleaved`, [
        { what: 'ADD (chain)', ours: o.add, reference: r.add },
        { what: 'DEL with netns (chain)', ours: o.del, reference: r.del },
        { what: 'DEL with empty netns (chain): the repeated DEL, nothing left', ours: o.delAgain, reference: r.delAgain },
        { what: 'whole lifecycle', ours: o.lifecycle, reference: r.lifecycle, targets: key === 'ours' ? [{ goal: `${goal} lifecycle CPU`, on: 'cpu', max: 0.6 }] : [] },
        { what: `  ${first} DEL finding nothing vs our VERSION`, ours: secondDels(os[`${first} DEL`]), reference: starts.ours, targets: [{ goal: `${goal}: ${first} DEL finding nothing, CPU vs our VERSION`, on: 'cpu', max: 1.3 }] },
        { what: '  portmap DEL finding nothing vs our VERSION', ours: secondDels(os['portmap DEL']), reference: starts.ours, targets: [{ goal: `${goal}: portmap DEL finding nothing, CPU vs our VERSION`, on: 'cpu', max: 1.3 }] },
        { what: '  reference: bridge DEL finding nothing vs Go VERSION', ours: secondDels(rs['bridge DEL']), reference: starts.reference },
      ]);
    }
  } finally {
    scratch.cleanup();
  }
}
