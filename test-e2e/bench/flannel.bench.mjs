// The flannel chain (flannel -> bridge + host-local, then portmap with one hostPort), ours vs the
// reference-equivalent chain: the Go bridge + host-local run with the delegate config flannel
// would hand them (written out), then the Go portmap. ADD and DEL of each container are timed as
// a whole chain, interleaved one by one. Every chain runs inside its own "node" namespace.
import { join } from 'node:path';
import { DIST_BIN, REFERENCE_BIN, benchScratch, flannelNode, execPlugin, interleave, recordSync, report, samples } from './lib.mjs';

const PODS = 40;
const NET = 'cbr0';

export default async function bench() {
  const scratch = benchScratch('fb');
  const { dir, netns } = scratch;
  try {
    const kubeFlannel = flannelNode(dir);

    /** first: the chain's first plugin and its config; everything runs in the contender's node. */
    const contender = (label, binDir, first) => {
      const node = netns(label);
      const pods = Array.from({ length: PODS }, (_, i) => netns(`${label}-${i}`));
      const exec = (binary, command, i, config) =>
        execPlugin(join(binDir, binary), { CNI_COMMAND: command, CNI_CONTAINERID: `bench-${i}`, CNI_NETNS: pods[i], CNI_IFNAME: 'eth0', CNI_PATH: binDir }, config, node);
      const results = [];
      // Per-step times too, to tell which plugin of the chain costs what.
      const steps = { firstAdd: samples(), portmapAdd: samples(), portmapDel: samples(), firstDel: samples() };
      const timed = (step, fn) => recordSync(steps[step], fn);
      const portmap = (i) => ({
        cniVersion: '1.0.0',
        name: NET,
        type: 'portmap',
        runtimeConfig: { portMappings: [{ hostPort: 30000 + i, containerPort: 80, protocol: 'tcp' }] },
        prevResult: results[i],
      });
      const firstConf = { cniVersion: '1.0.0', name: NET, ...first.config(label) };
      return {
        steps,
        add: (i) => {
          results[i] = timed('firstAdd', () => exec(first.type, 'ADD', i, firstConf));
          results[i] = timed('portmapAdd', () => exec('portmap', 'ADD', i, portmap(i)));
        },
        del: (i) => {
          timed('portmapDel', () => exec('portmap', 'DEL', i, portmap(i)));
          timed('firstDel', () => exec(first.type, 'DEL', i, { ...firstConf, prevResult: results[i] }));
        },
      };
    };

    const ours = contender('ours', DIST_BIN, { type: 'flannel', config: kubeFlannel.flannel });
    // What the reference flannel hands its delegate for the same subnet.env and conflist.
    const delegateConf = kubeFlannel.delegate;
    const ref = contender('ref', REFERENCE_BIN, { type: 'bridge', config: delegateConf });
    // Our bridge given the delegate config directly: what flannel itself adds on top of it.
    const bridge = contender('bridge', DIST_BIN, { type: 'bridge', config: delegateConf });
    const adds = await interleave(PODS, { ours: ours.add, bridge: bridge.add, ref: ref.add });
    const dels = await interleave(PODS, { ours: ours.del, bridge: bridge.del, ref: ref.del });
    report(`flannel chain, ${PODS} containers: flannel -> bridge + host-local, then portmap (one hostPort); each chain in a node netns`, [
      { what: 'chain ADD (ours: flannel with in-process bridge + host-local; portmap)', ours: adds.ours, reference: adds.ref, targets: [{ goal: 'flannel chain ADD', on: 'wall', max: 0.6 }] },
      { what: '  flannel -> bridge + host-local ADD vs Go bridge + host-local', ours: ours.steps.firstAdd, reference: ref.steps.firstAdd },
      { what: '  (our bridge + host-local alone, same config)', ours: bridge.steps.firstAdd, reference: ref.steps.firstAdd },
      { what: '  portmap ADD', ours: ours.steps.portmapAdd, reference: ref.steps.portmapAdd },
      { what: 'chain DEL (ours) vs Go bridge + host-local + portmap', ours: dels.ours, reference: dels.ref, targets: [{ goal: 'flannel chain DEL', on: 'wall', max: 0.6 }] },
      { what: '  portmap DEL', ours: ours.steps.portmapDel, reference: ref.steps.portmapDel },
      { what: '  flannel -> bridge + host-local DEL vs Go bridge + host-local', ours: ours.steps.firstDel, reference: ref.steps.firstDel },
      { what: '  (our bridge + host-local alone, same config)', ours: bridge.steps.firstDel, reference: ref.steps.firstDel },
    ]);
  } finally {
    scratch.cleanup();
  }
}
