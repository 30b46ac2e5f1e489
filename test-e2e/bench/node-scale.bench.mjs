// Node scale: ADD and DEL of bridge + host-local (ipMasq) + portmap (one hostPort) with 0, 110
// and 250 pods already attached on the node (the kubelet's default maximum and a common one),
// ours and the reference at the same counts, interleaved, each on its own node. The attached
// pods are real: a veth each on the node's bridge, an IP reservation, masquerade and hostPort
// rules. Targets (issue 11): ours at 250 within 1.2x of ours at 0, and at most 0.6x the
// reference at 250.
import { join } from 'node:path';
import { DIST_BIN, benchScratch, interleave, podChain, recordSync, referenceBinDir, report, samples } from './lib.mjs';

const LEVELS = (process.env.BENCH_NODE_SCALE_LEVELS ?? '0,110,250').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_NODE_SCALE_ROUNDS ?? 15);

export default async function bench() {
  const scratch = benchScratch('pfns');
  const { dir } = scratch;
  try {
    const goBin = referenceBinDir(dir);
    const attachedMax = Math.max(...LEVELS);
    // Pods 0..attachedMax-1 stay attached; the measured pods come after them, one netns each.
    const pods = attachedMax + ROUNDS;
    const conflist = (label) => ({
      cniVersion: '1.0.0',
      name: 'nsnet',
      plugins: [
        { type: 'bridge', bridge: 'cni-ns0', isGateway: true, ipMasq: true, hairpinMode: true, ipam: { type: 'host-local', dataDir: join(dir, label, 'ipam'), ranges: [[{ subnet: '10.127.0.0/16' }]] } },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    });
    const hostPort = (i) => ({ portMappings: [{ hostPort: 23000 + i, containerPort: 80, protocol: 'tcp' }] });
    const contenders = {
      ours: podChain(scratch, 'o', { conflist: conflist('o'), binDir: DIST_BIN, pods, capabilityArgs: hostPort }),
      ref: podChain(scratch, 'r', { conflist: conflist('r'), binDir: goBin, pods, capabilityArgs: hostPort }),
    };
    const at = {};
    let attached = 0;
    for (const level of [...LEVELS].sort((a, b) => a - b)) {
      for (; attached < level; attached++) for (const c of Object.values(contenders)) c.add(attached);
      const adds = { ours: samples(), ref: samples() };
      const dels = { ours: samples(), ref: samples() };
      // Each round: ADD then DEL of one measured pod, per contender, alternating who goes first.
      await interleave(ROUNDS, Object.fromEntries(Object.entries(contenders).map(([n, c]) => [n, (r) => {
        recordSync(adds[n], () => c.add(attachedMax + r));
        recordSync(dels[n], () => c.del(attachedMax + r));
      }])));
      at[level] = { adds, dels };
    }
    const [low, high] = [Math.min(...LEVELS), Math.max(...LEVELS)];
    const rows = [];
    for (const level of LEVELS) {
      for (const [verb, key] of [['ADD', 'adds'], ['DEL', 'dels']]) {
        const targets = level === high ? [{ goal: `node scale: chain ${verb} at ${high} attached vs the reference at ${high}`, on: 'wall', max: 0.6 }] : [];
        rows.push({ what: `chain ${verb}, ${level} pods attached`, ours: at[level][key].ours, reference: at[level][key].ref, targets });
      }
    }
    for (const [verb, key] of [['ADD', 'adds'], ['DEL', 'dels']]) {
      rows.push({ what: `ours ${verb} growth: at ${high} / at ${low} (reference column = ours at ${low})`, ours: at[high][key].ours, reference: at[low][key].ours, targets: [{ goal: `node scale: our chain ${verb} at ${high} attached vs at ${low}`, on: 'wall', max: 1.2 }] });
      rows.push({ what: `reference ${verb} growth: at ${high} / at ${low}`, ours: at[high][key].ref, reference: at[low][key].ref });
    }
    report(`node scale, bridge + host-local (ipMasq) + portmap (one hostPort), ${ROUNDS} rounds per level, interleaved`, rows);
  } finally {
    scratch.cleanup();
  }
}
