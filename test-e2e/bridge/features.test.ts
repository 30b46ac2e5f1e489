import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPlugin } from '../lib/exec.ts';
import { BridgeLab, DUAL, kernelHasVlanFiltering, resultIps, V4 } from './lab.ts';

let lab: BridgeLab;
afterEach(() => lab?.cleanup());

type Link = Record<string, any> & { ifname: string };

const VLAN_FILTERING = kernelHasVlanFiltering();
const hostVeth = (result: Record<string, unknown>) => (result.interfaces as Array<{ name: string }>)[1]!.name;
const link = (lab: BridgeLab, name: string): Link => lab.nodeLinks().find((l) => l.ifname === name)!;

describe('bridge keys, on real links', () => {
  it('isDefaultGateway: a default route per family via the bridge; mtu on bridge and both veth ends', () => {
    lab = new BridgeLab();
    const conf = lab.conf('1.1.0', DUAL, { isDefaultGateway: true, mtu: 1400 });
    const p1 = lab.pod('p1');
    const r = lab.add(conf, { containerId: 'c1', netns: p1 });
    expect(r.routes).toEqual([{ dst: '0.0.0.0/0', gw: '10.88.0.1' }, { dst: '::/0', gw: 'fd88::1' }]);
    expect(lab.inPod(p1, ['ip', '-4', 'route', 'show', 'default'])).toContain('default via 10.88.0.1 dev eth0');
    expect(lab.inPod(p1, ['ip', '-6', 'route', 'show', 'default'])).toContain('default via fd88::1 dev eth0');
    expect(link(lab, lab.bridgeName).mtu).toBe(1400);
    expect(link(lab, hostVeth(r)).mtu).toBe(1400);
    expect(JSON.parse(lab.inPod(p1, ['ip', '-j', 'link', 'show', 'eth0']))[0].mtu).toBe(1400);
    expect(lab.inNode(['cat', '/proc/sys/net/ipv4/ip_forward']).trim()).toBe('1');
    expect(lab.run('CHECK', { ...conf, prevResult: r }, { containerId: 'c1', netns: p1 }).code).toBe(0);
  });

  it('hairpinMode and portIsolation set the port flags; promiscMode the bridge flag', () => {
    lab = new BridgeLab();
    const r = lab.add(lab.conf('1.0.0', V4, { hairpinMode: true, portIsolation: true }), { containerId: 'c1', netns: lab.pod('p1') });
    const port = link(lab, hostVeth(r)).linkinfo.info_slave_data;
    expect(port.hairpin).toBe(true);
    expect(port.isolated).toBe(true);
    expect(link(lab, hostVeth(r)).master).toBe(lab.bridgeName);

    const p2 = lab.pod('p2');
    const conf2 = lab.conf('1.0.0', V4, { promiscMode: true });
    const r2 = lab.add(conf2, { containerId: 'c2', netns: p2 });
    expect(link(lab, lab.bridgeName).promiscuity).toBeGreaterThan(0);
    expect(lab.run('CHECK', { ...conf2, prevResult: r2 }, { containerId: 'c2', netns: p2 }).code).toBe(0);
  });

  it.skipIf(!VLAN_FILTERING)('vlan: access ports with PVID untagged; pods on different VLANs cannot reach each other', () => {
    lab = new BridgeLab();
    const p10a = lab.pod('a10');
    const p10b = lab.pod('b10');
    const p20 = lab.pod('c20');
    const ra = lab.add(lab.conf('1.0.0', V4, { vlan: 10 }), { containerId: 'a', netns: p10a });
    const rb = lab.add(lab.conf('1.0.0', V4, { vlan: 10 }), { containerId: 'b', netns: p10b });
    const rc = lab.add(lab.conf('1.0.0', V4, { vlan: 20, vlanTrunk: [{ minID: 100, maxID: 102 }] }), { containerId: 'c', netns: p20 });
    expect(link(lab, lab.bridgeName).linkinfo.info_data.vlan_filtering).toBe(1);
    const vlans = JSON.parse(lab.inNode(['bridge', '-j', 'vlan', 'show'])) as Array<{ ifname: string; vlans: Array<{ vlan: number; vlanEnd?: number; flags?: string[] }> }>;
    const of = (r: Record<string, unknown>) => vlans.find((v) => v.ifname === hostVeth(r))!.vlans;
    expect(of(ra)).toEqual([{ vlan: 10, flags: ['PVID', 'Egress Untagged'] }]);
    expect(of(rc)).toEqual([{ vlan: 20, flags: ['PVID', 'Egress Untagged'] }, { vlan: 100, vlanEnd: 102 }]);
    expect(lab.ping(p10a, resultIps(rb)[0]!)).toBe(true);
    expect(lab.ping(p10a, resultIps(rc)[0]!)).toBe(false);
  });

  it.runIf(!VLAN_FILTERING)('vlan on a kernel without bridge VLAN filtering: a clear error, nothing left behind', () => {
    lab = new BridgeLab();
    const out = lab.run('ADD', lab.conf('1.0.0', V4, { vlan: 10 }), { containerId: 'a', netns: lab.pod('a') });
    expect(out.json).toMatchObject({ code: 7, msg: expect.stringContaining('no bridge VLAN filtering') });
    expect(lab.reserved()).toEqual([]);
    expect(lab.nodeLinks().map((l) => l.ifname)).toEqual(['lo']);
  });

  it('MAC from runtimeConfig wins over args and CNI_ARGS; the config\'s dns replaces IPAM\'s', () => {
    lab = new BridgeLab();
    const p1 = lab.pod('p1');
    const conf = lab.conf('1.0.0', V4, {
      runtimeConfig: { mac: '02:42:ac:11:00:07' },
      args: { cni: { mac: '02:42:ac:11:00:08' } },
      dns: { nameservers: ['10.88.0.53'], search: ['example.test'] },
    });
    const r = lab.add(conf, { containerId: 'c1', netns: p1, cniArgs: 'IgnoreUnknown=1;MAC=02:42:ac:11:00:09' });
    expect((r.interfaces as Array<{ mac: string }>)[2]!.mac).toBe('02:42:ac:11:00:07');
    expect(JSON.parse(lab.inPod(p1, ['ip', '-j', 'link', 'show', 'eth0']))[0].address).toBe('02:42:ac:11:00:07');
    expect(r.dns).toEqual({ nameservers: ['10.88.0.53'], search: ['example.test'] });
  });

  it('L2 mode ("ipam": {}): the link is up without addresses; disableContainerInterface leaves it down', () => {
    lab = new BridgeLab();
    const p1 = lab.pod('p1');
    const r = lab.add(lab.conf('1.0.0', undefined, { ipam: {} }), { containerId: 'c1', netns: p1 });
    expect(r.ips).toBeUndefined();
    const eth0 = JSON.parse(lab.inPod(p1, ['ip', '-j', 'addr', 'show', 'eth0']))[0];
    expect(eth0.flags).toContain('UP');
    expect(eth0.addr_info.filter((a: { family: string }) => a.family === 'inet')).toEqual([]);

    const p2 = lab.pod('p2');
    lab.add(lab.conf('1.0.0', undefined, { disableContainerInterface: true }), { containerId: 'c2', netns: p2 });
    expect(JSON.parse(lab.inPod(p2, ['ip', '-j', 'link', 'show', 'eth0']))[0].flags).not.toContain('UP');
  });

  it('enabledad: IPv6 addresses go through DAD and are usable when ADD returns', () => {
    lab = new BridgeLab();
    const p1 = lab.pod('p1');
    lab.add(lab.conf('1.0.0', [[{ subnet: 'fd88::/64' }]], { enabledad: true, isDefaultGateway: true }), { containerId: 'c1', netns: p1 });
    expect(lab.inPod(p1, ['cat', '/proc/sys/net/ipv6/conf/eth0/accept_dad']).trim()).toBe('1');
    expect(lab.inPod(p1, ['ip', '-6', 'addr', 'show', 'dev', 'eth0', 'tentative'])).toBe('');
    expect(lab.inPod(p1, ['ip', '-6', 'route', 'show', 'default'])).toContain('via fd88::1');
  });

  it('macspoofchk: frames from another MAC are dropped at the bridge; DEL removes the chains', () => {
    lab = new BridgeLab();
    const p1 = lab.pod('p1');
    const p2 = lab.pod('p2');
    const conf = lab.conf('1.0.0', V4, { macspoofchk: true });
    const r1 = lab.add(conf, { containerId: 'c1', netns: p1 });
    const r2 = lab.add(conf, { containerId: 'c2', netns: p2 });
    expect(lab.inNode(['nft', 'list', 'table', 'bridge', 'nat'])).toContain('cni-br-iface-c1-eth0');
    expect(lab.ping(p1, resultIps(r2)[0]!)).toBe(true);
    lab.inPod(p1, ['ip', 'link', 'set', 'eth0', 'address', '02:00:00:00:0b:ad']);
    lab.inPod(p2, ['ip', 'neigh', 'flush', 'all']);
    expect(lab.ping(p1, resultIps(r2)[0]!)).toBe(false);
    expect(lab.run('DEL', conf, { containerId: 'c1', netns: p1 }).code).toBe(0);
    expect(lab.inNode(['nft', 'list', 'table', 'bridge', 'nat'])).not.toContain('c1-eth0');
    expect(lab.inNode(['nft', 'list', 'table', 'bridge', 'nat'])).toContain('cni-br-iface-c2-eth0');
    expect(r1.interfaces).toBeDefined();
  });

  it('12 concurrent ADDs on a bridge that does not exist yet all succeed and can talk', async () => {
    lab = new BridgeLab();
    const conf = lab.conf('1.0.0', DUAL, { isGateway: true, ipMasq: true });
    const pods = Array.from({ length: 12 }, (_, i) => lab.pod(`c${i}`));
    const results = await Promise.all(pods.map((netns, i) => startPlugin(join(lab.bin, 'bridge'), lab.call('ADD', conf, { containerId: `c${i}`, netns })).done));
    for (const r of results) expect(r.code, r.stdout).toBe(0);
    const ips = results.map((r) => resultIps(r.json!));
    expect(new Set(ips.flat()).size).toBe(24);
    expect(lab.ping(pods[0]!, ips[11]![0]!)).toBe(true);
    expect(lab.ping(pods[11]!, ips[0]![1]!)).toBe(true);
    const macs = new Set(results.map((r) => (r.json!.interfaces as Array<{ mac: string }>)[0]!.mac));
    expect(macs.size).toBe(1); // every call reports the one bridge MAC: it never moved
    expect([...macs][0]).toBe(link(lab, lab.bridgeName).address);
  });
});
