import { utimesSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeNode, named } from './fake-node.ts';

// Each failure an operator meets on a node, built on a private fake node, and doctor naming it
// with its fix (its JSON: {check, severity, message, fix}; exit 0/1/2 by the worst severity).
let node: FakeNode;
beforeEach(() => {
  node = new FakeNode();
});
afterEach(() => node.remove());

const SUBNET_ENV = 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n';

/** flanneld's part of a healthy vxlan node: subnet.env, flannel.1 and a route to another node. */
function healthyFlannel(): void {
  node.flannelList();
  node.subnetEnv(SUBNET_ENV);
  node.sh('ip', 'link', 'add', 'flannel.1', 'mtu', '1450', 'type', 'vxlan', 'id', '1', 'dstport', '8472', 'nolearning');
  node.sh('ip', 'link', 'set', 'flannel.1', 'up');
  node.sh('ip', 'addr', 'add', '10.244.1.0/32', 'dev', 'flannel.1');
  node.sh('ip', 'route', 'add', '10.244.2.0/24', 'via', '10.244.2.0', 'dev', 'flannel.1', 'onlink');
}

describe('doctor on a flannel node', () => {
  it('a healthy node: every finding ok, each of the shape {check, severity, message, fix}, exit 0', () => {
    healthyFlannel();
    const { code, findings } = node.doctor();
    const bad = findings.filter((f) => f.severity !== 'ok' && f.check !== 'br_netfilter' && f.check !== 'sysctl');
    expect(bad).toEqual([]);
    for (const f of findings) expect(Object.keys(f).sort()).toEqual(['check', 'fix', 'message', 'severity']);
    expect(named(findings, 'default network')[0]!.message).toMatch(/10-flannel\.conflist \(network "cbr0", version 0\.3\.1\) is the network runtimes use/);
    expect(named(findings, 'plugin').map((f) => f.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/bin\/flannel answers VERSION with 0\.3\.1/), expect.stringMatching(/bin\/bridge answers/), expect.stringMatching(/bin\/host-local answers/), expect.stringMatching(/bin\/portmap answers/)]),
    );
    expect(code).toBe(findings.some((f) => f.severity === 'problem') ? 2 : findings.some((f) => f.severity === 'warn') ? 1 : 0);
  });

  it('no subnet.env (flanneld is not up), and one that does not parse', () => {
    node.flannelList();
    const { code, findings } = node.doctor();
    expect(code).toBe(2);
    expect(named(findings, 'flannel subnet.env')[0]).toMatchObject({ severity: 'problem', message: expect.stringContaining(`${node.subnetFile} does not exist`), fix: expect.stringContaining('start flanneld') });
    node.subnetEnv('FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=big\n');
    const broken = named(node.doctor().findings, 'flannel subnet.env')[0];
    expect(broken).toMatchObject({ severity: 'problem', message: expect.stringContaining('FLANNEL_MTU="big" is not an MTU') });
  });

  it('cni0 holding an address outside FLANNEL_SUBNET, naming the conflist whose bridge it is', () => {
    healthyFlannel();
    node.sh('ip', 'link', 'add', node.bridge, 'type', 'bridge');
    node.sh('ip', 'addr', 'add', '10.244.9.1/24', 'dev', node.bridge);
    const { code, findings } = node.doctor();
    expect(code).toBe(2);
    expect(named(findings, 'flannel bridge')[0]).toMatchObject({
      severity: 'problem',
      message: expect.stringContaining(`${node.bridge} (the bridge of 10-flannel.conflist) has 10.244.9.1/24, outside FLANNEL_SUBNET 10.244.1.0/24: every ADD fails with "${node.bridge} already has an IP address different from"`),
      fix: expect.stringContaining(`ip link delete ${node.bridge}`),
    });
  });

  it('flannel.1 with an MTU other than FLANNEL_MTU, and no routes to other nodes', () => {
    healthyFlannel();
    node.sh('ip', 'link', 'set', 'flannel.1', 'mtu', '1400');
    node.sh('ip', 'route', 'del', '10.244.2.0/24');
    const { findings } = node.doctor();
    expect(named(findings, 'flannel vxlan')[0]).toMatchObject({ severity: 'problem', message: expect.stringContaining('flannel.1 has MTU 1400, subnet.env says FLANNEL_MTU=1450'), fix: expect.stringContaining('ip link set flannel.1 mtu 1450') });
    expect(named(findings, 'flannel routes')[0]).toMatchObject({ severity: 'warn', message: expect.stringContaining('no route to another node\'s pod subnet inside FLANNEL_NETWORK 10.244.0.0/16') });
  });

  it('forwarding off, IPv6 forwarding off on a dual-stack node, bridge-nf-call-iptables off', () => {
    healthyFlannel();
    node.subnetEnv(`${SUBNET_ENV}FLANNEL_IPV6_NETWORK=fd10::/56\nFLANNEL_IPV6_SUBNET=fd10:0:0:1::1/64\n`);
    node.sh('sysctl', '-qw', 'net.ipv4.ip_forward=0');
    node.sh('sysctl', '-qw', 'net.ipv6.conf.all.forwarding=0');
    const bridgeNf = node.sh('bash', '-c', 'cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || true').trim();
    if (bridgeNf !== '') node.sh('sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=0');
    const { code, findings } = node.doctor();
    expect(code).toBe(2);
    const sysctl = named(findings, 'sysctl');
    expect(sysctl).toContainEqual(expect.objectContaining({ severity: 'problem', message: expect.stringContaining('net.ipv4.ip_forward = 0'), fix: expect.stringContaining('sysctl -w net.ipv4.ip_forward=1') }));
    expect(sysctl).toContainEqual(expect.objectContaining({ severity: 'problem', message: expect.stringContaining('net.ipv6.conf.all.forwarding = 0'), fix: expect.stringContaining('sysctl -w net.ipv6.conf.all.forwarding=1') }));
    if (bridgeNf !== '') {
      expect(sysctl).toContainEqual(expect.objectContaining({ severity: 'warn', message: expect.stringContaining('net.bridge.bridge-nf-call-iptables = 0') }));
    } else {
      expect(named(findings, 'br_netfilter')[0]).toMatchObject({ severity: 'warn', fix: expect.stringContaining('modprobe br_netfilter') });
    }
  });
});

describe('doctor on the plugins the default network needs', () => {
  beforeEach(() => healthyFlannel());

  it('missing, not executable, of another architecture, not answering VERSION', () => {
    rmSync(join(node.binDir, 'bridge'));
    node.plugin('portmap', '#!/bin/sh\necho hi\n', 0o644);
    const arm64 = Buffer.alloc(64);
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(arm64);
    arm64.writeUInt16LE(183, 18);
    node.plugin('host-local', arm64);
    node.plugin('flannel', '#!/bin/sh\necho garbage\n');
    const { code, findings } = node.doctor();
    expect(code).toBe(2);
    const plugin = named(findings, 'plugin');
    expect(plugin).toContainEqual(expect.objectContaining({ severity: 'problem', message: expect.stringContaining('"bridge" (needed by cbr0) is not in'), fix: `install it: cnictl install --dir ${node.binDir} bridge` }));
    expect(plugin).toContainEqual(expect.objectContaining({ severity: 'problem', message: `${node.binDir}/portmap is not executable`, fix: `chmod 755 ${node.binDir}/portmap` }));
    expect(plugin).toContainEqual(expect.objectContaining({ severity: 'problem', message: expect.stringContaining('host-local is built for arm64 (aarch64), this machine is x86-64') }));
    expect(plugin).toContainEqual(expect.objectContaining({ severity: 'problem', message: expect.stringContaining('flannel does not answer VERSION'), fix: expect.stringContaining('reinstall flannel') }));
  });

  it('a plugin that does not speak the list\'s version', () => {
    node.plugin('portmap', '#!/bin/sh\necho \'{"cniVersion":"0.4.0","supportedVersions":["0.4.0","1.0.0"]}\'\n');
    const { findings } = node.doctor();
    expect(named(findings, 'plugin')).toContainEqual(expect.objectContaining({ severity: 'problem', message: expect.stringContaining('does not speak version 0.3.1 of') }));
  });
});

describe('doctor on the conf dir', () => {
  it('a stray list shadowing flannel\'s, and a broken file sorting first', () => {
    healthyFlannel();
    node.writeList('05-crio-bridge.conflist', { cniVersion: '1.0.0', name: 'crio', plugins: [{ type: 'bridge', bridge: node.bridge, ipam: {} }] });
    let { findings } = node.doctor();
    expect(named(findings, 'default network')[0]!.message).toContain('05-crio-bridge.conflist (network "crio", version 1.0.0) is the network runtimes use');
    expect(named(findings, 'shadowed conflist')[0]).toMatchObject({ severity: 'warn', message: expect.stringContaining('05-crio-bridge.conflist shadows 10-flannel.conflist (network "cbr0")'), fix: expect.stringContaining('remove the stray file') });
    writeFileSync(join(node.confDir, '01-broken.conflist'), '{"name": ');
    ({ findings } = node.doctor());
    expect(named(findings, 'conflist')[0]).toMatchObject({ severity: 'problem', message: expect.stringContaining('01-broken.conflist does not load'), fix: expect.stringContaining('cnictl validate') });
  });

  it('an empty conf dir', () => {
    const { code, findings } = node.doctor();
    expect(code).toBe(2);
    expect(findings[0]).toMatchObject({ check: 'default network', severity: 'problem', message: expect.stringContaining('no network lists in') });
  });
});

describe('doctor on IPAM and firewall state', () => {
  const list = (extra: Record<string, unknown> = {}, portmap: Record<string, unknown> = {}) => ({
    cniVersion: '1.1.0',
    name: 'bnet',
    plugins: [
      { type: 'bridge', bridge: node.bridge, isGateway: true, ipMasq: true, ipam: { type: 'host-local', ranges: [[{ subnet: '10.83.0.0/29' }]], dataDir: node.dataDir }, ...extra },
      { type: 'portmap', capabilities: { portMappings: true }, ...portmap },
    ],
  });
  const ports = (port: number) => JSON.stringify({ portMappings: [{ hostPort: port, containerPort: 80, protocol: 'tcp' }] });
  const reserved = () => readdirSync(join(node.dataDir, 'bnet')).filter((f) => /^\d/.test(f)).sort();

  it('used/free per range; reservations, rules and DNATs without a live owner; --fix DELs only what is proven stale', () => {
    node.writeList('10-b.conflist', list());
    const [a, b, c] = ['a', 'b', 'c'].map((p) => node.pod(p));
    for (const [i, pod] of [a, b, c].entries()) expect(node.cnictl(['add', 'bnet', pod!, '--container-id', `pod${i}`, '--cap-args', ports(8080 + i)]).code).toBe(0);
    rmSync(join(node.cacheDir, 'results', 'bnet-pod1-eth0')); // pod1: no cache entry (unproven)
    node.sh('ip', 'netns', 'delete', c!.split('/').pop()!); // pod2: its netns is gone (proven)
    const before = node.doctor();
    expect(before.code).toBe(1);
    expect(named(before.findings, 'ipam')[0]).toMatchObject({ severity: 'ok', message: 'bnet range 10.83.0.0/29: 3 used, 2 free' });
    const stale = named(before.findings, 'stale reservation');
    expect(stale).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/bnet: 10\.83\.0\.\d is reserved for pod1\/eth0, which is not a live attachment: no libcni cache entry/), fix: expect.stringContaining('cnictl gc bnet') }));
    expect(stale).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/reserved for pod2\/eth0.*its netns .* is gone/), fix: expect.stringContaining('cnictl doctor --fix') }));
    expect(named(before.findings, 'stale masquerade rules')).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/iptables CNI-[0-9a-f]{24}: masquerade rules of bnet\/pod1/) }));
    expect(named(before.findings, 'stale hostport rules')).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/iptables CNI-DN-\w+: hostPort DNAT \(tcp\/8082\) of bnet\/pod2/) }));
    expect(before.findings.some((f) => f.message.includes('pod0'))).toBe(false);

    const dry = node.doctor(['--fix', '--dry-run']);
    expect(named(dry.findings, 'fix (dry run)').map((f) => f.message)).toEqual([expect.stringMatching(/^would DEL pod2\/eth0 on bnet \(its netns .* is gone\)$/)]);
    expect(reserved()).toHaveLength(3);

    const fixed = node.doctor(['--fix']);
    expect(named(fixed.findings, 'fix').map((f) => f.message)).toEqual([expect.stringMatching(/^done: DEL pod2\/eth0 on bnet/)]);
    expect(reserved()).toHaveLength(2);
    const after = node.doctor();
    expect(after.findings.some((f) => f.message.includes('pod2'))).toBe(false);
    expect(after.findings.some((f) => f.message.includes('pod1'))).toBe(true); // unproven: left alone
  });

  it('a reservation made before the last boot is proven stale, and a full range is a problem', () => {
    node.writeList('10-b.conflist', list());
    const pods = ['a', 'b', 'c', 'd', 'e'].map((p) => node.pod(p));
    for (const [i, pod] of pods.entries()) expect(node.cnictl(['add', 'bnet', pod, '--container-id', `pod${i}`]).code).toBe(0);
    const old = reserved()[0]!;
    const owner = readFileSync(join(node.dataDir, 'bnet', old), 'utf8').split('\r\n')[0]!;
    rmSync(join(node.cacheDir, 'results', `bnet-${owner}-eth0`));
    utimesSync(join(node.dataDir, 'bnet', old), new Date('2001-01-01'), new Date('2001-01-01'));
    const { code, findings } = node.doctor(['--fix', '--dry-run']);
    expect(code).toBe(2);
    expect(named(findings, 'ipam')[0]).toMatchObject({ severity: 'problem', message: expect.stringContaining('5 used, 0 free: every ADD fails') });
    expect(named(findings, 'stale reservation')).toContainEqual(expect.objectContaining({ message: expect.stringContaining(`${old} is reserved for ${owner}/eth0, which is not a live attachment: made before the last boot`) }));
    expect(named(findings, 'fix (dry run)').map((f) => f.message)).toEqual([`would DEL ${owner}/eth0 on bnet (${old} made before the last boot, no cache entry)`]);
  });

  it('a reservation host-local recorded in another boot is proven stale by its boot id', () => {
    node.writeList('10-b.conflist', list());
    const pod = node.pod('a');
    expect(node.cnictl(['add', 'bnet', pod, '--container-id', 'oldboot']).code).toBe(0);
    rmSync(join(node.cacheDir, 'results', 'bnet-oldboot-eth0'));
    const index = join(node.dataDir, '.bnet.cni-ts-index');
    writeFileSync(index, readFileSync(index, 'utf8').replace(/^(oldboot@eth0 \S+) \S+$/m, '$1 another-boot'));
    const { findings } = node.doctor(['--fix', '--dry-run']);
    expect(named(findings, 'stale reservation')).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/reserved for oldboot\/eth0, which is not a live attachment: made before the last boot \(host-local recorded another boot id\)/) }));
    expect(named(findings, 'fix (dry run)').map((f) => f.message)).toEqual([expect.stringMatching(/^would DEL oldboot\/eth0 on bnet/)]);
  });

  it('two DNATs claiming one hostPort, with iptables and with nftables', () => {
    node.writeList('10-b.conflist', list());
    node.writeList('20-n.conflist', { ...list({ ipMasqBackend: 'nftables', bridge: `${node.bridge.slice(0, 12)}n` }, { backend: 'nftables' }), name: 'nnet' });
    const [a, b, c] = ['a', 'b', 'c'].map((p) => node.pod(p));
    expect(node.cnictl(['add', 'bnet', a!, '--container-id', 'one', '--cap-args', ports(9090)]).code).toBe(0);
    expect(node.cnictl(['add', 'bnet', b!, '--container-id', 'two', '--cap-args', ports(9090)]).code).toBe(0);
    expect(node.cnictl(['add', 'nnet', c!, '--container-id', 'three', '--cap-args', ports(9191)]).code).toBe(0);
    rmSync(join(node.cacheDir, 'results', 'nnet-three-eth0'));
    const { findings } = node.doctor();
    expect(named(findings, 'hostPort conflict')).toContainEqual(
      expect.objectContaining({ severity: 'problem', message: expect.stringMatching(/hostPort tcp\/9090 is claimed by 2 DNATs: bnet\/(one|two) \(CNI-DN-\w+\), bnet\/(one|two) \(CNI-DN-\w+\); only bnet\/(one|two), the first, ever gets the traffic/) }),
    );
    expect(named(findings, 'stale hostport rules')).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/nftables dn-\w+: hostPort DNAT \(tcp\/9191\) of nnet\/three/) }));
    expect(named(findings, 'stale masquerade rules')).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/nftables masq_checks: masquerade rules of nnet\/three/) }));
  });
});

describe('doctor on the firewall backends', () => {
  it('rules in both iptables backends, and nft missing where a list asks for nftables', () => {
    node.writeList('10-n.conflist', { cniVersion: '1.0.0', name: 'n', plugins: [{ type: 'bridge', bridge: node.bridge, ipMasq: true, ipMasqBackend: 'nftables', ipam: {} }] });
    node.sh('iptables-legacy', '-t', 'nat', '-A', 'POSTROUTING', '-s', '10.1.0.0/16', '-j', 'RETURN');
    node.sh('iptables-nft', '-t', 'nat', '-A', 'POSTROUTING', '-s', '10.2.0.0/16', '-j', 'RETURN');
    const both = node.doctor();
    expect(named(both.findings, 'iptables backend')[0]).toMatchObject({ severity: 'warn', message: expect.stringMatching(/rules in both iptables backends: \d+ in iptables-legacy, \d+ in iptables-nft/), fix: expect.stringContaining('update-alternatives') });
    const noNft = node.doctor([], { PATH: node.pathWithout('nft') });
    expect(named(noNft.findings, 'nftables')[0]).toMatchObject({ severity: 'problem', message: expect.stringContaining('10-n.conflist asks for the nftables backend, but `nft` is not installed'), fix: expect.stringContaining('apt-get install nftables') });
  });
});

describe('doctor as a person reads it', () => {
  it('one line per finding with its fix, no colour into a pipe, NO_COLOR honoured', () => {
    node.flannelList();
    const r = node.cnictl(['doctor', '--bin-dir', node.binDir, '--data-dir', node.dataDir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^PROBLEM flannel subnet\.env: .* -> fix: start flanneld/m);
    expect(r.stdout).toMatch(/\d+ problem\(s\), \d+ warning\(s\), \d+ ok\n$/);
    expect(r.stdout).not.toContain('\x1b[');
    const tty = node.cnictl(['doctor', '--bin-dir', node.binDir], { NO_COLOR: '1' });
    expect(tty.stdout).not.toContain('\x1b[');
  });
});
