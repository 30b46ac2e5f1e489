import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIST_BIN, inNetns, REFERENCE_BIN, runPlugin, startPlugin, type PluginCall } from '../lib/exec.ts';
import { httpGet, PortmapNode, ruleset, type AddResult } from './lib.ts';

// DEL, CHECK, GC and bad input of the portmap executable itself, on real rules in a node
// namespace; pods come from bridge + host-local via cnictl.
const NET = 'pmnet';
const GW = '10.97.0.1';
const PORTMAP = `${DIST_BIN}/portmap`;
const WEB = [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }];

describe.each(['iptables', 'nftables'] as const)('portmap lifecycle on %s', (backend) => {
  let lab: PortmapNode;
  let node: string;
  let podA: string;
  let podB: string;

  beforeEach(() => {
    lab = new PortmapNode('pl', NET);
    ({ node, podA, podB } = lab);
    lab.writeList('1.1.0', [[{ subnet: '10.97.0.0/24' }]], { backend });
  });
  afterEach(() => lab.cleanup());

  const add = (pod: string, id: string, mappings: unknown[]): AddResult => lab.add(pod, id, mappings);
  const portmapConf = (extra: Record<string, unknown> = {}) => ({ cniVersion: '1.1.0', name: NET, type: 'portmap', backend, ...extra });
  /** The portmap executable itself, run in the node namespace as a runtime there would. */
  const portmapCall = (command: PluginCall['command'], id: string, config: unknown, netns = ''): PluginCall => ({
    command,
    containerId: id,
    netns,
    config,
    inNetns: node,
    timeoutMs: 20_000,
  });
  const call = (command: PluginCall['command'], id: string, config: unknown, netns = '') => runPlugin(PORTMAP, portmapCall(command, id, config, netns));

  it('DEL without runtimeConfig, netns or prevResult still removes the pod\'s rules (the reference does nothing: plugins#509)', async () => {
    add(podB, 'ctrB', [{ hostPort: 18090, containerPort: 80, protocol: 'tcp' }]);
    const before = ruleset(node);
    add(podA, 'ctrA', WEB);
    await lab.servers.http(podA, 80, 'pod-a', lab.ws.root);
    expect(httpGet(node, `http://${GW}:18080/`)).toBe('pod-a');

    const del = call('DEL', 'ctrA', portmapConf());
    expect(del.stdout).toBe('');
    expect(del.code).toBe(0);
    expect(httpGet(node, `http://${GW}:18080/`)).toBe('');
    // Only the bridge's part of ctrA is left: compare after the rest of the chain's DEL.
    expect(lab.del(podA, 'ctrA').code).toBe(0);
    expect(ruleset(node)).toBe(before);
  });

  it('DEL on one network leaves the same container\'s mappings on another network alone', async () => {
    const result = add(podA, 'ctrA', WEB);
    await lab.servers.http(podA, 80, 'pod-a', lab.ws.root);
    expect(call('DEL', 'ctrA', { ...portmapConf(), name: 'othernet' }).code).toBe(0);
    expect(httpGet(node, `http://${GW}:18080/`)).toBe('pod-a');
    expect(call('CHECK', 'ctrA', portmapConf({ prevResult: result, runtimeConfig: { portMappings: WEB } }), podA).code).toBe(0);
  });

  it('CHECK passes on intact rules and names what is missing once they are tampered with', () => {
    const result = add(podA, 'ctrA', WEB);
    const conf = portmapConf({ prevResult: result, runtimeConfig: { portMappings: WEB } });
    expect(call('CHECK', 'ctrA', conf, podA).code).toBe(0);

    const tamper =
      backend === 'iptables'
        ? ['iptables', '-t', 'nat', '-F', (/CNI-DN-[0-9a-f]+/.exec(inNetns(node, ['iptables-save', '-t', 'nat']).stdout) ?? [''])[0]]
        : ['nft', 'delete', 'element', 'inet', 'cni_ts_hostport', 'hostports', '{ ipv4 . tcp . 18080 }'];
    expect(inNetns(node, tamper).code).toBe(0);
    const check = call('CHECK', 'ctrA', conf, podA);
    expect(check.code).not.toBe(0);
    expect(check.json).toMatchObject({ msg: expect.stringContaining('18080') });
  });

  it('GC removes the mappings of attachments that are not valid any more, and keeps the valid ones', async () => {
    add(podB, 'ctrB', [{ hostPort: 18090, containerPort: 80, protocol: 'tcp' }]);
    const before = ruleset(node);
    add(podA, 'ctrA', WEB);
    await lab.servers.http(podA, 80, 'pod-a', lab.ws.root);
    await lab.servers.http(podB, 80, 'pod-b', lab.ws.root);

    const gc = call('GC', '', portmapConf({ 'cni.dev/valid-attachments': [{ containerID: 'ctrB', ifname: 'eth0' }] }));
    expect(gc.stdout).toBe('');
    expect(gc.code).toBe(0);
    expect(httpGet(node, `http://${GW}:18080/`)).toBe('');
    expect(httpGet(node, `http://${GW}:18090/`)).toBe('pod-b');
    expect(lab.del(podA, 'ctrA').code).toBe(0);
    expect(ruleset(node)).toBe(before);
  });

  it('bad input is one error JSON naming the field, and changes nothing', () => {
    const result = add(podA, 'ctrA', []);
    const before = ruleset(node);
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ prevResult: result, markMasqBit: 40, runtimeConfig: { portMappings: WEB } }, 7, 'markMasqBit'],
      [{ prevResult: result, runtimeConfig: { portMappings: [{ hostPort: 'x', containerPort: 80 }] } }, 7, 'portMappings[0].hostPort'],
      [{ runtimeConfig: { portMappings: WEB } }, 7, 'prevResult'],
      [{ prevResult: result, backend: 'pf', runtimeConfig: { portMappings: WEB } }, 7, 'backend'],
    ];
    for (const [extra, code, field] of cases) {
      const r = call('ADD', 'ctrA', portmapConf(extra), podA);
      expect(r.code).not.toBe(0);
      expect(r.json).toMatchObject({ code, msg: expect.stringContaining(field) });
      expect(r.stdout).not.toContain('    at ');
    }
    expect(ruleset(node)).toBe(before);
  });

  it('concurrent ADDs on a fresh node all land, with the shared rules once', async () => {
    const ids = [0, 1, 2, 3, 4, 5];
    const conf = (i: number) =>
      portmapConf({ prevResult: { cniVersion: '1.1.0', ips: [{ address: `10.97.1.${10 + i}/24` }] }, runtimeConfig: { portMappings: [{ hostPort: 18100 + i, containerPort: 80 }] } });
    const adds = await Promise.all(ids.map((i) => startPlugin(PORTMAP, portmapCall('ADD', `c${i}`, conf(i), podA)).done));
    expect(adds.map((r) => r.code)).toEqual(ids.map(() => 0));
    for (const i of ids) expect(call('CHECK', `c${i}`, conf(i), podA).code).toBe(0);
    if (backend === 'iptables') {
      const save = inNetns(node, ['iptables-save', '-t', 'nat']).stdout;
      expect(save.match(/^-A PREROUTING .*CNI-HOSTPORT-DNAT$/gm)).toHaveLength(1);
      expect(save.match(/^-A POSTROUTING .*CNI-HOSTPORT-MASQ$/gm)).toHaveLength(1);
    }
  });

  it('STATUS succeeds where the backend works', () => {
    const r = call('STATUS', '', portmapConf());
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });

  it.runIf(backend === 'iptables')('DEL removes the rules of a pod the reference Go portmap mapped', async () => {
    add(podB, 'ctrB', [{ hostPort: 18090, containerPort: 80, protocol: 'tcp' }]);
    const result = add(podA, 'ctrA', []);
    const before = ruleset(node);
    const goAdd = runPlugin(`${REFERENCE_BIN}/portmap`, {
      ...portmapCall('ADD', 'ctrA', { cniVersion: '1.0.0', name: NET, type: 'portmap', prevResult: { ...result, cniVersion: '1.0.0' }, runtimeConfig: { portMappings: WEB } }, podA),
      cniPath: REFERENCE_BIN,
    });
    expect(goAdd.code).toBe(0);
    await lab.servers.http(podA, 80, 'pod-a', lab.ws.root);
    expect(httpGet(node, `http://${GW}:18080/`)).toBe('pod-a');

    const ourCheck = call('CHECK', 'ctrA', portmapConf({ prevResult: result, runtimeConfig: { portMappings: WEB } }), podA);
    expect(ourCheck.code).toBe(0);
    const del = call('DEL', 'ctrA', portmapConf());
    expect(del.code).toBe(0);
    expect(httpGet(node, `http://${GW}:18080/`)).toBe('');
    expect(ruleset(node)).toBe(before);
  });

  it.runIf(backend === 'nftables')('DEL removes the rules the reference portmap\'s nftables backend makes (its layout, written here as it writes it)', async () => {
    const result = add(podA, 'ctrA', []);
    const ip = result.ips[0]!.address.split('/')[0]!;
    // The reference (plugins >= 1.6) writes this; Debian's 1.1.1 has no nftables backend to run.
    const reference = [
      'add table ip cni_hostport { comment "CNI portmap plugin" ; }',
      'add chain ip cni_hostport hostports',
      'add chain ip cni_hostport hostip_hostports',
      'add chain ip cni_hostport prerouting { type nat hook prerouting priority -100 ; }',
      'add rule ip cni_hostport prerouting jump hostip_hostports',
      'add rule ip cni_hostport prerouting jump hostports',
      'add chain ip cni_hostport output { type nat hook output priority -100 ; }',
      'add rule ip cni_hostport output jump hostip_hostports',
      'add rule ip cni_hostport output fib daddr type local jump hostports',
      'add chain ip cni_hostport masquerading { type nat hook postrouting priority 100 ; }',
      `add rule ip cni_hostport hostports tcp dport 18080 dnat to ${ip}:80 comment "ctrA"`,
      `add rule ip cni_hostport hostports tcp dport 18099 dnat to 10.97.0.99:80 comment "ctrOther"`,
      `add rule ip cni_hostport masquerading ip saddr ${ip} ip daddr ${ip} masquerade comment "ctrA"`,
      `add rule ip cni_hostport masquerading ip saddr 127.0.0.1 ip daddr ${ip} masquerade comment "ctrA"`,
    ].join('\n');
    expect(inNetns(node, ['nft', '-f', '-'], { input: `${reference}\n` }).code).toBe(0);
    await lab.servers.http(podA, 80, 'pod-a', lab.ws.root);
    expect(httpGet(node, `http://${GW}:18080/`)).toBe('pod-a');

    expect(call('DEL', 'ctrA', portmapConf()).code).toBe(0);
    expect(httpGet(node, `http://${GW}:18080/`)).toBe('');
    const left = inNetns(node, ['nft', 'list', 'table', 'ip', 'cni_hostport']).stdout;
    expect(left).not.toContain('"ctrA"');
    expect(left).toContain('"ctrOther"');
  });
});
