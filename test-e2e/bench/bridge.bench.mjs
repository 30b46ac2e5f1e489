// bridge + host-local, ours vs the reference Go plugins: ADD and DEL of 60 containers each,
// interleaved one by one so machine noise hits both alike. Every plugin runs inside its own
// "node" network namespace, so bridges, veths and masquerade rules never touch the host.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_BIN, REFERENCE_BIN, benchScratch, execPlugin, interleave, report } from './lib.mjs';

const PODS = 60;

export default async function bench() {
  const scratch = benchScratch('bb');
  const { dir, netns } = scratch;
  try {
    const contender = (label, bridgeBin, ipamBin) => {
      const bin = join(dir, label, 'bin');
      mkdirSync(bin, { recursive: true });
      symlinkSync(bridgeBin, join(bin, 'bridge'));
      symlinkSync(ipamBin, join(bin, 'host-local'));
      const node = netns(label);
      const pods = Array.from({ length: PODS }, (_, i) => netns(`${label}-${i}`));
      const config = {
        cniVersion: '1.0.0',
        name: 'benchnet',
        type: 'bridge',
        bridge: 'cni-bench0',
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        ipam: { type: 'host-local', dataDir: join(dir, label, 'ipam'), ranges: [[{ subnet: '10.123.0.0/16' }]] },
      };
      const results = [];
      const call = (command, i, conf) =>
        execPlugin(join(bin, 'bridge'), { CNI_COMMAND: command, CNI_CONTAINERID: `bench-${i}`, CNI_NETNS: pods[i], CNI_IFNAME: 'eth0', CNI_PATH: bin }, conf, node);
      // DEL gets the ADD result as prevResult, as libcni sends it for cniVersion >= 0.4.0.
      return {
        add: (i) => (results[i] = call('ADD', i, config)),
        del: (i) => call('DEL', i, { ...config, prevResult: results[i] }),
      };
    };
    const ours = contender('ours', join(DIST_BIN, 'bridge'), join(DIST_BIN, 'host-local'));
    const mixed = contender('mixed', join(DIST_BIN, 'bridge'), join(REFERENCE_BIN, 'host-local'));
    const ref = contender('ref', join(REFERENCE_BIN, 'bridge'), join(REFERENCE_BIN, 'host-local'));
    const adds = await interleave(PODS, { ours: ours.add, mixed: mixed.add, ref: ref.add });
    const dels = await interleave(PODS, { ours: ours.del, mixed: mixed.del, ref: ref.del });
    report(`bridge + host-local, ${PODS} containers, isGateway + ipMasq (iptables) + hairpinMode, each plugin in a node netns`, [
      { what: 'ADD (ours: in-process host-local)', ours: adds.ours, reference: adds.ref, targets: [{ goal: 'bridge + host-local ADD', on: 'wall', max: 0.8 }] },
      { what: 'ADD (our bridge + Go host-local)', ours: adds.mixed, reference: adds.ref },
      { what: 'DEL (ours: in-process host-local)', ours: dels.ours, reference: dels.ref, targets: [{ goal: 'bridge + host-local DEL', on: 'wall', max: 0.8 }] },
      { what: 'DEL (our bridge + Go host-local)', ours: dels.mixed, reference: dels.ref },
    ]);
  } finally {
    scratch.cleanup();
  }
}
