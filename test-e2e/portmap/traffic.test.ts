import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inNetns } from '../lib/exec.ts';
import { httpGet, PortmapNode, ruleset, udpAsk, udpConntrack, type AddResult } from './lib.ts';

// bridge + host-local + portmap from dist/bin, driven by cnictl inside a "node" namespace: the
// bridge, the veths' host ends, every firewall rule and conntrack entry stay in the test's own
// namespaces. Real connections check each path a hostPort must work on.
const NET = 'pmnet';
const GW = '10.98.0.1';

describe.each(['iptables', 'nftables'] as const)('portmap on %s, real traffic', (backend) => {
  let lab: PortmapNode;
  let node: string;
  let podA: string;
  let podB: string;

  const writeList = (ranges: unknown[], portmapKeys: Record<string, unknown> = {}): void => lab.writeList('1.0.0', ranges, { backend, ...portmapKeys });

  beforeEach(() => {
    lab = new PortmapNode('pm', NET);
    ({ node, podA, podB } = lab);
    writeList([[{ subnet: '10.98.0.0/24' }]]);
  });
  afterEach(() => lab.cleanup());

  const add = (pod: string, id: string, mappings: unknown[]): AddResult => lab.add(pod, id, mappings);
  const del = (pod: string, id: string) => lab.del(pod, id);
  const ipOf = (result: AddResult): string => result.ips[0]!.address.split('/')[0]!;

  it('a TCP hostPort answers from the node, on 127.0.0.1, from another pod and from the pod itself', async () => {
    add(podB, 'ctrB', []);
    add(podA, 'ctrA', [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }]);
    await lab.servers.http(podA, 80, 'pod-a', lab.ws.root);

    expect(httpGet(node, `http://${GW}:18080/`)).toBe('pod-a');
    expect(httpGet(node, 'http://127.0.0.1:18080/')).toBe('pod-a');
    expect(inNetns(node, ['cat', `/proc/sys/net/ipv4/conf/${lab.bridge}/route_localnet`]).stdout.trim()).toBe('1');
    expect(httpGet(podB, `http://${GW}:18080/`)).toBe('pod-a');
    expect(httpGet(podA, `http://${GW}:18080/`)).toBe('pod-a'); // hairpin
    expect(httpGet(node, `http://${GW}:18081/`)).toBe(''); // an unmapped port stays closed

    expect(lab.cnictl('check', podA, '--container-id', 'ctrA').code).toBe(0);
    expect(del(podA, 'ctrA').code).toBe(0);
    expect(httpGet(node, `http://${GW}:18080/`)).toBe('');
  });

  it('UDP: a datagram to the hostPort reaches the pod and its answer comes back; DEL flushes the conntrack entry', async () => {
    add(podB, 'ctrB', []);
    add(podA, 'ctrA', [{ HostPort: 15353, ContainerPort: 53, Protocol: 'udp', HostIP: GW }]); // containerd's key case
    await lab.servers.udp(podA, 53, 'pod-a');

    expect(udpAsk(node, GW, 15353, 'from-node')).toBe('pod-a:from-node');
    expect(udpAsk(podB, GW, 15353, 'from-b')).toBe('pod-a:from-b');
    expect(udpConntrack(node, 15353)).toBeGreaterThan(0);

    expect(del(podA, 'ctrA').code).toBe(0);
    expect(udpConntrack(node, 15353)).toBe(0);
    expect(udpAsk(node, GW, 15353, 'after-del')).toBe('');
  });

  it('two pods with different hostPorts each get their own traffic; DEL of one leaves the other intact', async () => {
    add(podA, 'ctrA', [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }]);
    add(podB, 'ctrB', [{ hostPort: 18090, containerPort: 80, protocol: 'tcp' }]);
    await lab.servers.http(podA, 80, 'pod-a', lab.ws.root);
    await lab.servers.http(podB, 80, 'pod-b', lab.ws.root);
    expect(httpGet(node, `http://${GW}:18080/`)).toBe('pod-a');
    expect(httpGet(node, `http://${GW}:18090/`)).toBe('pod-b');

    expect(del(podA, 'ctrA').code).toBe(0);
    expect(httpGet(node, `http://${GW}:18080/`)).toBe('');
    expect(httpGet(node, `http://${GW}:18090/`)).toBe('pod-b');
    expect(httpGet(podB, `http://${GW}:18090/`)).toBe('pod-b');
  });

  it('DEL removes exactly this pod\'s rules: the full ruleset is what it was before its ADD', () => {
    add(podB, 'ctrB', [{ hostPort: 18090, containerPort: 80, protocol: 'tcp' }]);
    const before = ruleset(node);
    const result = add(podA, 'ctrA', [
      { hostPort: 18080, containerPort: 80, protocol: 'tcp' },
      { hostPort: 15353, containerPort: 53, protocol: 'udp' },
      { hostPort: 19000, containerPort: 90, protocol: 'sctp', hostIP: GW },
    ]);
    expect(ipOf(result)).toMatch(/^10\.98\.0\./);
    expect(ruleset(node)).not.toBe(before);
    expect(del(podA, 'ctrA').code).toBe(0);
    expect(ruleset(node)).toBe(before);
    expect(del(podA, 'ctrA').code).toBe(0); // repeatable
    expect(ruleset(node)).toBe(before);
  });

  it('IPv6: a dual-stack pod answers on the v6 gateway address (TCP and UDP), from the node and another pod', async () => {
    writeList([[{ subnet: '10.98.0.0/24' }], [{ subnet: 'fd98::/64' }]]);
    add(podB, 'ctrB', []);
    const result = add(podA, 'ctrA', [
      { hostPort: 18080, containerPort: 80, protocol: 'tcp' },
      { hostPort: 15353, containerPort: 53, protocol: 'udp', hostIP: 'fd98::1' },
    ]);
    expect(result.ips.map((i) => i.address)).toEqual([expect.stringMatching(/^10\.98\.0\./), expect.stringMatching(/^fd98::/)]);
    await lab.servers.http(podA, 80, 'pod-a', lab.ws.root);
    await lab.servers.udp(podA, 53, 'pod-a6', 'udp6');

    expect(httpGet(node, 'http://[fd98::1]:18080/')).toBe('pod-a');
    expect(httpGet(podB, 'http://[fd98::1]:18080/')).toBe('pod-a');
    expect(httpGet(podA, 'http://[fd98::1]:18080/')).toBe('pod-a'); // hairpin
    expect(httpGet(node, `http://${GW}:18080/`)).toBe('pod-a');
    expect(udpAsk(node, 'fd98::1', 15353, 'v6')).toBe('pod-a6:v6');
    expect(udpAsk(node, GW, 15353, 'v4')).toBe(''); // the mapping's hostIP is IPv6 only

    expect(lab.cnictl('check', podA, '--container-id', 'ctrA').code).toBe(0);
    expect(del(podA, 'ctrA').code).toBe(0);
    expect(httpGet(node, 'http://[fd98::1]:18080/')).toBe('');
  });

  it('conditionsV4 limit which connections are forwarded; snat: false leaves 127.0.0.1 unforwardable', async () => {
    // host-local hands out .2 first: that is pod B, whose connections the condition excludes.
    const notFromB = backend === 'iptables' ? ['!', '-s', '10.98.0.2/32'] : ['ip', 'saddr', '!=', '10.98.0.2'];
    writeList([[{ subnet: '10.98.0.0/24' }]], { conditionsV4: notFromB, snat: false });
    expect(ipOf(add(podB, 'ctrB', []))).toBe('10.98.0.2');
    add(podA, 'ctrA', [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }]);
    await lab.servers.http(podA, 80, 'pod-a', lab.ws.root);

    expect(httpGet(node, `http://${GW}:18080/`)).toBe('pod-a');
    expect(httpGet(podB, `http://${GW}:18080/`)).toBe(''); // excluded by the condition
    expect(httpGet(node, 'http://127.0.0.1:18080/')).toBe(''); // needs what snat adds: route_localnet and the masquerade
    expect(del(podA, 'ctrA').code).toBe(0);
  });
});
