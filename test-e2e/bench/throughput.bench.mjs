// Throughput under load: 4 and 8 parallel streams, each running whole pod lifecycles (ADD; DEL
// with the netns; DEL with an empty netns) back to back on one node for BENCH_THROUGHPUT_SECONDS
// (default 60) seconds; ours and the reference one after the other, each on its own node.
// Lifecycles per second, p95 lifecycle latency and CPU per lifecycle. Two chains: bridge +
// host-local (ipMasq) + portmap with one hostPort per pod, and the kube-flannel light path
// (flannel -> bridge without ipMasq, portmap without mappings).
import { join } from 'node:path';
import { DIST_BIN, addTarget, asyncLifecycle, benchScratch, flannelNode, median, percentile, referenceBinDir } from './lib.mjs';

const SECONDS = Number(process.env.BENCH_THROUGHPUT_SECONDS ?? 60);
const STREAMS = [4, 8];

/** `streams` loops of lifecycles for SECONDS; every lifecycle's { wall, cpu }. */
async function drive(streams, lifecycle, pods) {
  const deadline = performance.now() + SECONDS * 1000;
  const done = [];
  await Promise.all(
    Array.from({ length: streams }, async (_, s) => {
      for (let k = 0; performance.now() < deadline; k++) done.push(await lifecycle(`tp-${s}-${k}`, pods[s], s));
    }),
  );
  return done;
}

export default async function bench() {
  const scratch = benchScratch('pftp');
  const { dir, netns } = scratch;
  try {
    const goBin = referenceBinDir(dir);
    const kubeFlannel = flannelNode(dir);
    const portmap = { type: 'portmap', capabilities: { portMappings: true } };
    const chains = {
      'bridge + host-local (ipMasq) + portmap (one hostPort)': {
        heavy: true,
        first: (label) => ({ type: 'bridge', bridge: 'cni-tp0', isGateway: true, ipMasq: true, hairpinMode: true, ipam: { type: 'host-local', dataDir: join(dir, label, 'ipam'), ranges: [[{ subnet: '10.126.0.0/16' }]] } }),
        reference: (label) => chains['bridge + host-local (ipMasq) + portmap (one hostPort)'].first(label),
        capabilityArgs: (s) => ({ portMappings: [{ hostPort: 22000 + s, containerPort: 80, protocol: 'tcp' }] }),
      },
      'kube-flannel light path (no ipMasq, no hostPort)': {
        heavy: false,
        first: kubeFlannel.flannel,
        reference: kubeFlannel.delegate,
        capabilityArgs: () => ({}),
      },
    };
    console.log(`\n## throughput: parallel streams of whole lifecycles, ${SECONDS} s each, ours then the reference (each on its own node)`);
    console.log('| chain | streams | ours lifecycles/s | ref lifecycles/s | ratio | ours p95 ms | ref p95 ms | p95 ratio | ours CPU ms / lifecycle | ref CPU ms / lifecycle | targets |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    let n = 0;
    for (const [name, c] of Object.entries(chains)) {
      for (const streams of STREAMS) {
        const side = async (who, binDir, first) => {
          const label = `${who[0]}${n++}`;
          const node = netns(label);
          const pods = Array.from({ length: streams }, (_, s) => netns(`${label}-${s}`));
          const lifecycle = asyncLifecycle({ conflist: { cniVersion: '1.0.0', name: 'tpnet', plugins: [first(label), portmap] }, binDir, node, capabilityArgs: c.capabilityArgs });
          await lifecycle('tp-warm', pods[0], 0); // the node's first ADD makes its bridge and shared rules
          const done = await drive(streams, lifecycle, pods);
          return { rate: done.length / SECONDS, p95: percentile(done.map((d) => d.wall), 0.95), cpu: median(done.map((d) => d.cpu)) };
        };
        const ours = await side('ours', DIST_BIN, c.first);
        const ref = await side('ref', goBin, c.reference);
        const targets = c.heavy
          ? [
              { goal: `throughput ${streams} streams, ${name}: lifecycles/s`, on: 'rate', value: ours.rate / ref.rate, want: '>= 1.25', met: ours.rate / ref.rate >= 1.25, ours: ours.rate, reference: ref.rate },
              { goal: `throughput ${streams} streams, ${name}: p95`, on: 'p95', value: ours.p95 / ref.p95, want: '< 1', met: ours.p95 < ref.p95, ours: ours.p95, reference: ref.p95 },
            ]
          : [{ goal: `throughput ${streams} streams, ${name}: lifecycles/s`, on: 'rate', value: ours.rate / ref.rate, want: '>= 0.8', met: ours.rate / ref.rate >= 0.8, ours: ours.rate, reference: ref.rate }];
        for (const t of targets) addTarget({ ...t, value: t.value.toFixed(2) });
        const shown = targets.map((t) => `${t.on} ${t.want}: ${t.value.toFixed(2)} ${t.met ? 'met' : 'MISSED'}`).join('; ');
        console.log(`| ${name} | ${streams} | ${ours.rate.toFixed(2)} | ${ref.rate.toFixed(2)} | ${(ours.rate / ref.rate).toFixed(2)} | ${ours.p95.toFixed(1)} | ${ref.p95.toFixed(1)} | ${(ours.p95 / ref.p95).toFixed(2)} | ${ours.cpu.toFixed(1)} | ${ref.cpu.toFixed(1)} | ${shown} |`);
      }
    }
  } finally {
    scratch.cleanup();
  }
}
