// The light path: the pod most nodes run. kube-flannel's default node hands the bridge
// `ipMasq: false` (flanneld masquerades) and most pods have no hostPort, so portmap only passes
// the result on. Two conflists, each ours against the reference run alike:
//  - kube-flannel's: flannel -> bridge + host-local, then portmap with no mappings (the reference
//    side: the Go bridge + host-local with the delegate config flannel would hand them, then the
//    Go portmap);
//  - the same as a plain bridge conflist: bridge (isGateway, no ipMasq) + host-local, portmap.
// Each pod goes through the runtime's lifecycle (ADD; DEL with the netns; DEL with an empty
// netns, as containerd's RemovePodSandbox sends it), wall and CPU per verb, per plugin and per
// lifecycle, beside the bare start of each side's executables (VERSION).
import { join } from 'node:path';
import { DIST_BIN, benchScratch, flannelNode, lifecycles, versionCalls, median, podChain, warmUp, referenceBinDir, report, secondDels } from './lib.mjs';

const PODS = Number(process.env.BENCH_LIGHT_PODS ?? 30);
/** Another build's plugin dir (e.g. main's dist/bin, copied aside): its kube-flannel rows beside ours. */
const BASELINE = process.env.BENCH_BASELINE_BIN;
const NET = 'cbr0';

export default async function bench() {
  const scratch = benchScratch('pflp');
  const { dir } = scratch;
  try {
    const goBin = referenceBinDir(dir);
    const { flannel, delegate } = flannelNode(dir);
    const portmap = { type: 'portmap', capabilities: { portMappings: true } };
    const plain = (label) => ({
      type: 'bridge',
      bridge: 'cni0',
      isGateway: true,
      ipMasq: false,
      ipam: { type: 'host-local', dataDir: join(dir, label, 'ipam'), ranges: [[{ subnet: '10.245.0.0/16' }]] },
    });
    const conflist = (first) => ({ cniVersion: '1.0.0', name: NET, plugins: [first, portmap] });
    const contenders = {
      flannelOurs: podChain(scratch, 'fo', { conflist: conflist(flannel('fo')), binDir: DIST_BIN, pods: PODS }),
      flannelRef: podChain(scratch, 'fr', { conflist: conflist(delegate('fr')), binDir: goBin, pods: PODS }),
      plainOurs: podChain(scratch, 'po', { conflist: conflist(plain('po')), binDir: DIST_BIN, pods: PODS }),
      plainRef: podChain(scratch, 'pr', { conflist: conflist(plain('pr')), binDir: goBin, pods: PODS }),
      ...(BASELINE && { flannelBaseline: podChain(scratch, 'fb', { conflist: conflist(flannel('fb')), binDir: BASELINE, pods: PODS }) }),
    };
    warmUp(contenders, PODS - 1);
    const runs = await lifecycles(PODS - 1, contenders, versionCalls(contenders.flannelOurs.node));
    const starts = { ours: runs.oursVersion, reference: runs.referenceVersion };
    const twoStarts = { wall: 2 * median(starts.ours.wall), cpu: 2 * median(starts.ours.cpu) };
    const nearStarts = (goal) => ['wall', 'cpu'].map((on) => ({ goal: `${goal} (${on})`, on, overMs: 4, baseline: twoStarts[on] }));
    const nothingFound = (goal) => [{ goal, on: 'cpu', max: 1.3 }];

    report(`bare start through the same driver, ${PODS - 1} rounds interleaved with the lifecycles: one VERSION call (ours: the multi-call executable; reference: Go bridge)`, [
      { what: 'VERSION', ours: starts.ours, reference: starts.reference },
    ]);
    for (const [name, ours, ref, first] of [
      ['kube-flannel: flannel -> bridge (no ipMasq) + host-local, portmap without mappings', runs.flannelOurs, runs.flannelRef, 'flannel'],
      ['plain bridge (isGateway, no ipMasq) + host-local, portmap without mappings', runs.plainOurs, runs.plainRef, 'bridge'],
    ]) {
      const key = first === 'flannel' ? 'flannel' : 'plain';
      const o = contenders[`${key}Ours`].steps;
      const r = contenders[`${key}Ref`].steps;
      report(`light path, ${name}; ${PODS - 1} pods, interleaved; targets: each verb within 4 ms of two bare starts of ours (${twoStarts.wall.toFixed(2)} ms wall, ${twoStarts.cpu.toFixed(2)} ms CPU)`, [
        { what: 'ADD (chain)', ours: ours.add, reference: ref.add, targets: nearStarts(`light path ${key} ADD`) },
        { what: `  ${first} ADD vs Go bridge`, ours: o[`${first} ADD`], reference: r['bridge ADD'] },
        { what: '  portmap ADD', ours: o['portmap ADD'], reference: r['portmap ADD'] },
        { what: 'DEL with netns (chain)', ours: ours.del, reference: ref.del, targets: nearStarts(`light path ${key} DEL with netns`) },
        { what: 'DEL with empty netns (chain): finds nothing', ours: ours.delAgain, reference: ref.delAgain, targets: nearStarts(`light path ${key} DEL with empty netns`) },
        { what: 'whole lifecycle', ours: ours.lifecycle, reference: ref.lifecycle },
      ]);
      // Per plugin call: DELs and what each costs beside one start.
      report(`light path, ${key}: per plugin DEL, and a DEL that finds nothing against our own VERSION (reference column = our VERSION)`, [
        { what: '  portmap DEL with netns vs Go portmap', ours: o['portmap DEL'], reference: r['portmap DEL'] },
        { what: `  ${first} DEL with netns vs Go bridge`, ours: o[`${first} DEL`], reference: r['bridge DEL'] },
        { what: `  ${first} DEL finding nothing vs our VERSION`, ours: secondDels(o[`${first} DEL`]), reference: starts.ours, targets: nothingFound(`${key}: ${first} DEL finding nothing, CPU vs our VERSION`) },
        { what: '  portmap DEL finding nothing vs our VERSION', ours: secondDels(o['portmap DEL']), reference: starts.ours, targets: nothingFound(`${key}: portmap DEL finding nothing, CPU vs our VERSION`) },
      ]);
    }
    if (BASELINE) {
      const [o, b] = [contenders.flannelOurs.steps, contenders.flannelBaseline.steps];
      report(`kube-flannel light path, this build against ${BASELINE} (reference columns = that build)`, [
        { what: 'ADD (chain)', ours: runs.flannelOurs.add, reference: runs.flannelBaseline.add },
        { what: 'DEL with netns (chain)', ours: runs.flannelOurs.del, reference: runs.flannelBaseline.del },
        { what: 'DEL with empty netns (chain)', ours: runs.flannelOurs.delAgain, reference: runs.flannelBaseline.delAgain },
        { what: 'whole lifecycle', ours: runs.flannelOurs.lifecycle, reference: runs.flannelBaseline.lifecycle },
        ...Object.keys(o).map((step) => ({ what: `  ${step}`, ours: o[step], reference: b[step] })),
      ]);
    }
  } finally {
    scratch.cleanup();
  }
}
