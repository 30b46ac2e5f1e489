import { describe, expect, it } from 'vitest';
import { conflist, nodeBatch, nodeFdbBatch, planLab, subnetEnv, underlayBatch } from './plan.ts';

describe('lab plan', () => {
  const plan = planLab('lab', [2, 1, 1], false);
  const dual = planLab('lab', [1, 1], true);

  it('names every namespace with the prefix and gives each node a /24 of 10.244.0.0/16', () => {
    expect(plan.underlayNetns).toBe('lab-underlay');
    expect(plan.nodes.map((n) => [n.netns, n.underlay4, n.subnet4])).toEqual([
      ['lab-node1', '192.168.100.11', '10.244.1.0/24'],
      ['lab-node2', '192.168.100.12', '10.244.2.0/24'],
      ['lab-node3', '192.168.100.13', '10.244.3.0/24'],
    ]);
    expect(new Set(plan.nodes.map((n) => n.vtepMac4)).size).toBe(3);
  });

  it('writes subnet.env as flanneld does: MTU = underlay - 50 (IPv4 VXLAN), the lower of both for dual stack', () => {
    expect(subnetEnv(plan, plan.nodes[1]!)).toBe('FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.2.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n');
    expect(subnetEnv(dual, dual.nodes[0]!)).toBe(
      'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_IPV6_NETWORK=fd10:244::/48\nFLANNEL_IPV6_SUBNET=fd10:244:0:1::1/64\nFLANNEL_MTU=1430\nFLANNEL_IPMASQ=true\n',
    );
  });

  it("programs flanneld's VXLAN device and, per remote node, a neighbour and an onlink route", () => {
    const lines = nodeBatch(plan, plan.nodes[0]!).trim().split('\n');
    expect(lines).toContain('link add flannel.1 type vxlan id 1 local 192.168.100.11 dev eth0 dstport 8472 nolearning');
    expect(lines).toContain('link set flannel.1 address 0e:fe:00:00:00:01 mtu 1450');
    expect(lines).toContain('addr add 10.244.1.0/32 dev flannel.1');
    for (const r of plan.nodes.slice(1)) {
      const gw = r.subnet4.replace('/24', '');
      expect(lines).toContain(`neigh replace ${gw} lladdr ${r.vtepMac4} dev flannel.1 nud permanent`);
      expect(lines).toContain(`route replace ${r.subnet4} via ${gw} dev flannel.1 onlink`);
    }
    expect(lines.filter((l) => l.includes('10.244.1.0/24'))).toEqual([]);
    expect(nodeFdbBatch(plan, plan.nodes[0]!)).toBe(
      'fdb append 0e:fe:00:00:00:02 dev flannel.1 dst 192.168.100.12 self permanent\nfdb append 0e:fe:00:00:00:03 dev flannel.1 dst 192.168.100.13 self permanent\n',
    );
  });

  it('adds flannel-v6.1 over the IPv6 underlay for dual stack', () => {
    const lines = nodeBatch(dual, dual.nodes[0]!);
    expect(lines).toContain('link add flannel-v6.1 type vxlan id 1 local fd00:100::11 dev eth0 dstport 8472 nolearning');
    expect(lines).toContain('route replace fd10:244:0:2::/64 via fd10:244:0:2:: dev flannel-v6.1 onlink');
    expect(nodeFdbBatch(dual, dual.nodes[0]!)).toContain('fdb append 0e:fe:00:00:01:02 dev flannel-v6.1 dst fd00:100::12 self permanent');
  });

  it('plugs every node into the underlay bridge', () => {
    expect(underlayBatch(plan)).toContain('link set node3 master br0');
  });

  it('the conflist is kube-flannel\'s: flannel with the hairpin/default-gateway delegate, then portmap', () => {
    const c = conflist({ subnetFile: '/s/subnet.env', dataDir: '/s/flannel', ipamDir: '/s/ipam' }, true);
    expect(c).toEqual({
      name: 'cbr0',
      cniVersion: '1.0.0',
      plugins: [
        { type: 'flannel', subnetFile: '/s/subnet.env', dataDir: '/s/flannel', ipam: { dataDir: '/s/ipam' }, delegate: { hairpinMode: true, isDefaultGateway: true } },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    });
    expect((conflist({ subnetFile: '', dataDir: '', ipamDir: '' }, false).plugins as unknown[]).length).toBe(1);
  });
});
