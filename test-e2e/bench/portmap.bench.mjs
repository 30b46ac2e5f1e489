// portmap, ours vs the reference Go plugin (Debian 1.1.1, iptables only):
//  1. portmap ADD alone at 0 and at 500 already-mapped pods, on each backend. The 500 are made by
//     running ADD for fake containers with fake prevResults inside the contender's node netns.
//  2. the whole chain bridge + host-local + portmap, ADD and DEL, driven alike for both sides: by
//     the bench's chain driver (lib.mjs) and by cnictl.
// Every contender has its own node namespace, so rulesets never mix and the host is untouched.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_BIN, REFERENCE_BIN, benchScratch, chainDriver, execPlugin, inNode, interleave, report, runMeasured } from './lib.mjs';

const MAPPED = 500;
const ROUNDS = 20;
const CHAIN_PODS = 30;

const podIp = (i) => `10.${120 + (i >> 16)}.${(i >> 8) & 255}.${(i & 255) || 1}`;

export default async function bench() {
  const scratch = benchScratch('pm');
  const { dir, netns } = scratch;
  try {
    // The pods' netns is never entered by portmap; it only has to differ from the node's.
    const fakePod = netns('fakepod');

    const portmapContender = (label, binary, backend) => {
      const node = netns(label);
      const call = (command, i, withPorts = true) => {
        const config = {
          cniVersion: '1.0.0',
          name: 'benchnet',
          type: 'portmap',
          ...(backend && { backend }),
          ...(withPorts && { runtimeConfig: { portMappings: [{ hostPort: 10000 + i, containerPort: 80, protocol: 'tcp' }] } }),
          prevResult: { cniVersion: '1.0.0', ips: [{ address: `${podIp(i)}/16` }] },
        };
        execPlugin(binary, { CNI_COMMAND: command, CNI_CONTAINERID: `pm-${i}`, CNI_NETNS: fakePod, CNI_IFNAME: 'eth0', CNI_PATH: DIST_BIN }, config, node);
      };
      return { add: (i) => call('ADD', i), del: (i) => call('DEL', i) };
    };

    const contenders = {
      'ours iptables': portmapContender('oi', join(DIST_BIN, 'portmap'), 'iptables'),
      'reference iptables': portmapContender('ri', join(REFERENCE_BIN, 'portmap')),
      'ours nftables': portmapContender('on', join(DIST_BIN, 'portmap'), 'nftables'),
    };
    // The measured containers are numbered past the pre-mapped ones; each is removed after its ADD.
    const measure = async () => {
      const samples = await interleave(ROUNDS, Object.fromEntries(Object.entries(contenders).map(([n, c]) => [n, (r) => c.add(MAPPED + 1 + r)])));
      for (const c of Object.values(contenders)) for (let r = 0; r < ROUNDS; r++) c.del(MAPPED + 1 + r);
      return samples;
    };
    const at0 = await measure();
    for (let i = 0; i < MAPPED; i++) for (const c of Object.values(contenders)) c.add(i);
    const at500 = await measure();
    report(`portmap ADD alone (one tcp hostPort), ${ROUNDS} rounds, at 0 and ${MAPPED} mapped pods`, [
      { what: 'iptables, 0 mapped', ours: at0['ours iptables'], reference: at0['reference iptables'] },
      { what: `iptables, ${MAPPED} mapped`, ours: at500['ours iptables'], reference: at500['reference iptables'] },
      { what: 'nftables, 0 mapped (the reference 1.1.1 has no nftables backend: reference column = ours at 0)', ours: at0['ours nftables'], reference: at0['ours nftables'] },
      { what: `nftables, ${MAPPED} mapped (ratio = growth: ours at ${MAPPED} / ours at 0)`, ours: at500['ours nftables'], reference: at0['ours nftables'], targets: [{ goal: `portmap nftables ADD at ${MAPPED} mapped vs at 0`, on: 'wall', max: 1.5 }] },
      { what: `iptables growth, ${MAPPED} mapped (ratio = ours at ${MAPPED} / ours at 0)`, ours: at500['ours iptables'], reference: at0['ours iptables'] },
      { what: `reference iptables growth, ${MAPPED} mapped (ratio = reference at ${MAPPED} / at 0)`, ours: at500['reference iptables'], reference: at0['reference iptables'] },
    ]);

    // The whole chain, two ways, each the same for ours and the reference: by the bench's own
    // light chain driver (lib.mjs chainDriver: one exec per plugin, as a runtime does), and by
    // cnictl, a runtime-like CLI whose own start-up and result cache add ~15 ms to both sides.
    const portMapping = (i) => ({ portMappings: [{ hostPort: 20000 + i, containerPort: 80, protocol: 'tcp' }] });
    const chainContender = (label, binDir, portmapExtra, driver) => {
      const node = netns(`c${label}`);
      const pods = Array.from({ length: CHAIN_PODS }, (_, i) => netns(`c${label}-${i}`));
      const conflist = {
        cniVersion: '1.0.0',
        name: 'benchnet',
        plugins: [
          { type: 'bridge', bridge: 'cni-pmb0', isGateway: true, ipMasq: true, hairpinMode: true, ipam: { type: 'host-local', dataDir: join(dir, label, 'ipam'), ranges: [[{ subnet: '10.124.0.0/16' }]] } },
          { type: 'portmap', capabilities: { portMappings: true }, ...portmapExtra },
        ],
      };
      if (driver === 'direct') {
        const chain = chainDriver({ conflist, binDir, node, capabilityArgs: portMapping });
        return { add: (i) => chain.add(`chain-${i}`, pods[i], i), del: (i) => chain.del(`chain-${i}`, pods[i], i) };
      }
      const confDir = join(dir, label, 'net.d');
      mkdirSync(confDir, { recursive: true });
      writeFileSync(join(confDir, '10-bench.conflist'), JSON.stringify(conflist));
      const call = (verb, i) => {
        const args = [verb, 'benchnet', pods[i], '--container-id', `chain-${i}`, '--conf-dir', confDir, '--cache-dir', join(dir, label, 'cache'), '--cni-path', binDir];
        if (verb === 'add') args.push('--cap-args', JSON.stringify(portMapping(i)));
        const r = runMeasured([...inNode(join(DIST_BIN, 'cnictl'), node), ...args], { PATH: process.env.PATH });
        if (r.status !== 0) throw new Error(`${label} ${verb} ${i}: ${r.stdout} ${r.stderr}`);
      };
      return { add: (i) => call('add', i), del: (i) => call('del', i) };
    };
    const goDir = join(dir, 'go-bin');
    mkdirSync(goDir);
    for (const p of ['bridge', 'host-local', 'portmap']) symlinkSync(join(REFERENCE_BIN, p), join(goDir, p));
    const chains = {
      ours: chainContender('ours', DIST_BIN, {}, 'direct'),
      oursNft: chainContender('nft', DIST_BIN, { backend: 'nftables' }, 'direct'),
      reference: chainContender('ref', goDir, {}, 'direct'),
      oursCnictl: chainContender('oursc', DIST_BIN, {}, 'cnictl'),
      referenceCnictl: chainContender('refc', goDir, {}, 'cnictl'),
    };
    const adds = await interleave(CHAIN_PODS, Object.fromEntries(Object.entries(chains).map(([n, c]) => [n, c.add])));
    const dels = await interleave(CHAIN_PODS, Object.fromEntries(Object.entries(chains).map(([n, c]) => [n, c.del])));
    report(`chain bridge(isGateway, ipMasq, hairpinMode) + host-local + portmap(one hostPort), ${CHAIN_PODS} pods, driven alike for both sides`, [
      { what: 'chain ADD, ours (portmap on iptables), chain driver', ours: adds.ours, reference: adds.reference, targets: [{ goal: 'chain bridge + host-local + portmap ADD', on: 'wall', max: 0.6 }] },
      { what: 'chain ADD, ours (portmap on nftables), chain driver', ours: adds.oursNft, reference: adds.reference },
      { what: 'chain ADD, ours (portmap on iptables), both through cnictl', ours: adds.oursCnictl, reference: adds.referenceCnictl },
      { what: 'chain DEL, ours (portmap on iptables), chain driver', ours: dels.ours, reference: dels.reference, targets: [{ goal: 'chain bridge + host-local + portmap DEL', on: 'wall', max: 0.6 }] },
      { what: 'chain DEL, ours (portmap on nftables), chain driver', ours: dels.oursNft, reference: dels.reference },
      { what: 'chain DEL, ours (portmap on iptables), both through cnictl', ours: dels.oursCnictl, reference: dels.referenceCnictl },
    ]);
  } finally {
    scratch.cleanup();
  }
}
