import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST_BIN } from '../lib/exec.ts';
import { FakeNode } from './fake-node.ts';

// `cnictl sysdump`: one tarball of what a maintainer asks for, from a private node with a pod on it.
let node: FakeNode;
let tarball: string;
const read = (file: string): string => spawnSync('tar', ['-xzOf', tarball, '--wildcards', `*/${file}`], { encoding: 'utf8' }).stdout;

beforeAll(() => {
  node = new FakeNode();
  node.flannelList();
  node.subnetEnv('FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.3.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=false\n');
  const pod = node.pod('pod');
  const add = node.cnictl(['add', 'cbr0', pod, '--container-id', 'dumped', '--cap-args', JSON.stringify({ portMappings: [{ hostPort: 8088, containerPort: 80, protocol: 'tcp' }] })]);
  expect(add.code, add.stderr).toBe(0);
  tarball = join(node.root, 'dump.tar.gz');
  const r = node.cnictl(['sysdump', '-o', tarball, '--data-dir', node.dataDir, '--subnet-file', node.subnetFile]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toBe(`wrote ${tarball}\n`);
}, 120_000);
afterAll(() => node.remove());

describe('cnictl sysdump', () => {
  it('is one tarball, readable by root only, of everything listed', () => {
    expect(statSync(tarball).mode & 0o777).toBe(0o600);
    const files = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).stdout.split('\n').map((f) => f.replace(/^[^/]+\//, ''));
    for (const f of ['conf/10-flannel.conflist', 'cache/results/cbr0-dumped-eth0', 'state/data-dirs.txt', 'firewall/iptables-save.txt', 'firewall/nft-ruleset.txt', 'ip/link.txt', 'ip/addr.txt', 'ip/route4.txt', 'ip/bridge-fdb.txt', 'host/sysctl.txt', 'plugins/versions.txt', 'doctor.json', 'errors.txt']) {
      expect(files).toContain(f);
    }
  });

  it('holds the node\'s state: subnet.env, reservations, saved configs, rules, links, sysctls, versions, findings', () => {
    expect(read('flannel/*subnet.env')).toContain('FLANNEL_SUBNET=10.244.3.1/24');
    expect(read('state/data-dirs.txt')).toMatch(/10\.244\.3\.\d+\tdumped\teth0/);
    expect(read('state/data-dirs.txt')).toContain('dumped:eth0');
    expect(read('firewall/iptables-save.txt')).toContain('id: \\"dumped\\"');
    expect(read('ip/link.txt')).toContain(node.bridge);
    expect(read('host/sysctl.txt')).toContain('net.ipv4.ip_forward = 1');
    expect(read('plugins/versions.txt')).toMatch(/bin\/bridge\texit 0\t\{"cniVersion":"1\.1\.0","supportedVersions"/);
    const findings = JSON.parse(read('doctor.json')) as Array<{ check: string }>;
    expect(findings.map((f) => f.check)).toContain('default network');
  });

  it("takes iproute2's bridge fdb even with the plugin directory first on PATH", () => {
    const again = join(node.root, 'again.tar.gz');
    const r = node.cnictl(['sysdump', '-o', again, '--data-dir', node.dataDir, '--subnet-file', node.subnetFile], { PATH: `${DIST_BIN}:/usr/sbin:/usr/bin:/sbin:/bin` });
    expect(r.code, r.stderr).toBe(0);
    const fdb = spawnSync('tar', ['-xzOf', again, '--wildcards', '*/ip/bridge-fdb.txt'], { encoding: 'utf8' }).stdout;
    expect(fdb).toMatch(new RegExp(`dev \\S+ master ${node.bridge}`));
  });
});
