// portmap, ours vs the reference Go plugin (Debian 1.1.1, iptables only):
//  1. portmap ADD alone at 0 and at 500 already-mapped pods, on each backend. The 500 are made by
//     running ADD for fake containers with fake prevResults inside the contender's node netns.
//  2. the whole chain bridge + host-local + portmap driven by cnictl, ADD and DEL.
// Every contender has its own node namespace, so rulesets never mix and the host is untouched.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST_BIN, REFERENCE_BIN, interleave, report } from './lib.mjs';

const MAPPED = 500;
const ROUNDS = 20;
const CHAIN_PODS = 30;

const podIp = (i) => `10.${120 + (i >> 16)}.${(i >> 8) & 255}.${(i & 255) || 1}`;

export default async function bench() {
  const prefix = `ctspm${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'portmap-bench-'));
  const namespaces = [];
  const netns = (name) => {
    execFileSync('ip', ['netns', 'add', `${prefix}-${name}`]);
    namespaces.push(`${prefix}-${name}`);
    execFileSync('ip', ['-n', `${prefix}-${name}`, 'link', 'set', 'lo', 'up']);
    return `/run/netns/${prefix}-${name}`;
  };
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
        const env = { PATH: process.env.PATH, CNI_COMMAND: command, CNI_CONTAINERID: `pm-${i}`, CNI_NETNS: fakePod, CNI_IFNAME: 'eth0', CNI_PATH: DIST_BIN };
        const r = spawnSync('nsenter', [`--net=${node}`, binary], { env, input: JSON.stringify(config), encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${label} ${command} ${i}: ${r.stdout} ${r.stderr}`);
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
      { what: `nftables, ${MAPPED} mapped (ratio = growth: ours at ${MAPPED} / ours at 0)`, ours: at500['ours nftables'], reference: at0['ours nftables'], target: 1.5, goal: `portmap nftables ADD at ${MAPPED} mapped vs at 0` },
      { what: `iptables growth, ${MAPPED} mapped (ratio = ours at ${MAPPED} / ours at 0)`, ours: at500['ours iptables'], reference: at0['ours iptables'] },
      { what: `reference iptables growth, ${MAPPED} mapped (ratio = reference at ${MAPPED} / at 0)`, ours: at500['reference iptables'], reference: at0['reference iptables'] },
    ]);

    // The whole chain, as a runtime runs it, through cnictl (the same driver for both sides).
    const chainContender = (label, binDir, portmapExtra) => {
      const node = netns(`c${label}`);
      const pods = Array.from({ length: CHAIN_PODS }, (_, i) => netns(`c${label}-${i}`));
      const confDir = join(dir, label, 'net.d');
      mkdirSync(confDir, { recursive: true });
      writeFileSync(
        join(confDir, '10-bench.conflist'),
        JSON.stringify({
          cniVersion: '1.0.0',
          name: 'benchnet',
          plugins: [
            { type: 'bridge', bridge: 'cni-pmb0', isGateway: true, ipMasq: true, hairpinMode: true, ipam: { type: 'host-local', dataDir: join(dir, label, 'ipam'), ranges: [[{ subnet: '10.124.0.0/16' }]] } },
            { type: 'portmap', capabilities: { portMappings: true }, ...portmapExtra },
          ],
        }),
      );
      const call = (verb, i) => {
        const args = [verb, 'benchnet', pods[i], '--container-id', `chain-${i}`, '--conf-dir', confDir, '--cache-dir', join(dir, label, 'cache'), '--cni-path', binDir];
        if (verb === 'add') args.push('--cap-args', JSON.stringify({ portMappings: [{ hostPort: 20000 + i, containerPort: 80, protocol: 'tcp' }] }));
        const r = spawnSync('nsenter', [`--net=${node}`, join(DIST_BIN, 'cnictl'), ...args], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${label} ${verb} ${i}: ${r.stdout} ${r.stderr}`);
      };
      return { add: (i) => call('add', i), del: (i) => call('del', i) };
    };
    const goDir = join(dir, 'go-bin');
    mkdirSync(goDir);
    for (const p of ['bridge', 'host-local', 'portmap']) symlinkSync(join(REFERENCE_BIN, p), join(goDir, p));
    const chains = {
      ours: chainContender('ours', DIST_BIN, {}),
      oursNft: chainContender('nft', DIST_BIN, { backend: 'nftables' }),
      reference: chainContender('ref', goDir, {}),
    };
    const adds = await interleave(CHAIN_PODS, { ours: chains.ours.add, oursNft: chains.oursNft.add, reference: chains.reference.add });
    const dels = await interleave(CHAIN_PODS, { ours: chains.ours.del, oursNft: chains.oursNft.del, reference: chains.reference.del });
    report(`chain bridge(isGateway, ipMasq, hairpinMode) + host-local + portmap(one hostPort) via cnictl, ${CHAIN_PODS} pods`, [
      { what: 'chain ADD, ours (portmap on iptables)', ours: adds.ours, reference: adds.reference, target: 0.6, goal: 'chain bridge + host-local + portmap ADD (cnictl)' },
      { what: 'chain ADD, ours (portmap on nftables)', ours: adds.oursNft, reference: adds.reference },
      { what: 'chain DEL, ours (portmap on iptables)', ours: dels.ours, reference: dels.reference, target: 0.6, goal: 'chain bridge + host-local + portmap DEL (cnictl)' },
      { what: 'chain DEL, ours (portmap on nftables)', ours: dels.oursNft, reference: dels.reference },
    ]);
  } finally {
    for (const name of namespaces.reverse()) spawnSync('ip', ['netns', 'delete', name]);
    rmSync(dir, { recursive: true, force: true });
  }
}
