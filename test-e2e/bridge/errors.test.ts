import { afterEach, describe, expect, it } from 'vitest';
import { BridgeLab, V4 } from './lab.ts';

let lab: BridgeLab;
afterEach(() => lab?.cleanup());

/** A failed call prints exactly one CNI error object on stdout, and no stack trace. */
function expectCniError(out: { code: number; stdout: string; json: Record<string, unknown> | undefined }, code: number, msg: RegExp): void {
  expect(out.code).not.toBe(0);
  expect(Object.keys(out.json ?? {}).sort()).toEqual(expect.arrayContaining(['code', 'msg']));
  expect(out.json!.code).toBe(code);
  expect(out.json!.msg).toMatch(msg);
  expect(out.stdout).not.toMatch(/\n\s+at /);
}

describe('bad input and failures', () => {
  it.each([
    [{ mtu: 'big' }, /^mtu: must be an integer/],
    [{ vlan: 5000 }, /^vlan: must be an integer from 0 to 4094/],
    [{ hairpinMode: true, promiscMode: true }, /^hairpinMode and promiscMode cannot both be true/],
    [{ ipMasqBackend: 'ebtables' }, /^ipMasqBackend: must be one of/],
    [{ vlanTrunk: [{ minID: 9, maxID: 3 }] }, /^vlanTrunk\[0\]: minID 9 is greater than maxID 3/],
    [{ disableContainerInterface: true }, /^disableContainerInterface cannot be used with IPAM/],
  ])('refuses %j with code 7 naming the key, before making anything', (extra, msg) => {
    lab = new BridgeLab();
    const p1 = lab.pod('p1');
    expectCniError(lab.run('ADD', lab.conf('1.0.0', V4, extra), { netns: p1 }), 7, msg);
    expect(lab.nodeLinks().map((l) => l.ifname)).toEqual(['lo']);
    expect(lab.reserved()).toEqual([]);
  });

  it('a non-bridge link with the bridge\'s name is a clear error, and the address is released', () => {
    lab = new BridgeLab();
    lab.inNode(['ip', 'link', 'add', lab.bridgeName, 'type', 'veth', 'peer', 'name', `${lab.bridgeName}p`]);
    expectCniError(lab.run('ADD', lab.conf('1.0.0', V4), { netns: lab.pod('p1') }), 7, /already exists and is not a bridge \(it is a veth\)/);
    expect(lab.reserved()).toEqual([]);
  });

  it('a gateway conflicting with the bridge\'s address says what to do; forceAddress replaces it', () => {
    lab = new BridgeLab();
    lab.inNode(['ip', 'link', 'add', lab.bridgeName, 'type', 'bridge']);
    lab.inNode(['ip', 'addr', 'add', '10.99.0.1/16', 'dev', lab.bridgeName]);
    const conf = lab.conf('1.0.0', V4, { isGateway: true });
    const p1 = lab.pod('p1');
    expectCniError(lab.run('ADD', conf, { containerId: 'c1', netns: p1 }), 7, /already has an IP address different from 10\.88\.0\.1\/24: it has 10\.99\.0\.1\/16.*forceAddress/);
    expect(lab.reserved()).toEqual([]);
    expect(lab.nodeLinks().filter((l) => l.ifname.startsWith('veth'))).toEqual([]);

    lab.add({ ...conf, forceAddress: true }, { containerId: 'c1', netns: p1 });
    const addrs = JSON.parse(lab.inNode(['ip', '-4', '-j', 'addr', 'show', 'dev', lab.bridgeName]))[0].addr_info.map((a: { local: string }) => a.local);
    expect(addrs).toEqual(['10.88.0.1']);
  });

  it('a failed ADD (interface name taken in the pod) rolls back the address and the veth, and the bridge stays usable', () => {
    lab = new BridgeLab();
    const conf = lab.conf('1.0.0', V4, { isGateway: true, ipMasq: true });
    const p1 = lab.pod('p1');
    lab.add(conf, { containerId: 'c0', netns: lab.pod('p0') });
    lab.inPod(p1, ['ip', 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p']);
    expectCniError(lab.run('ADD', conf, { containerId: 'c1', netns: p1 }), 999, /already has an interface named "eth0"/);
    expect(lab.reserved()).toEqual(['10.88.0.2']);
    expect(lab.nodeLinks().filter((l) => l.ifname.startsWith('veth'))).toHaveLength(1);
    expect(lab.natRules()).not.toContain('id: \\"c1\\"');
    const br = lab.nodeLinks().find((l) => l.ifname === lab.bridgeName)!;
    expect(br.address).not.toBe('00:00:00:00:00:00');
    lab.add(conf, { containerId: 'c1', netns: p1, ifName: 'net1' });
  });

  it('DEL succeeds when everything is already gone, and with a netns path that no longer exists', () => {
    lab = new BridgeLab();
    const conf = lab.conf('1.0.0', V4, { ipMasq: true });
    expect(lab.run('DEL', conf, { containerId: 'never', netns: '' }).code).toBe(0);
    expect(lab.run('DEL', conf, { containerId: 'never', netns: '/run/netns/does-not-exist' }).code).toBe(0);
  });

  it('ADD with a netns that does not exist fails cleanly', () => {
    lab = new BridgeLab();
    const out = lab.run('ADD', lab.conf('1.0.0', V4), { netns: '/run/netns/does-not-exist' });
    expect(out.code).not.toBe(0);
    expect(out.json?.msg).toMatch(/does-not-exist/);
    expect(lab.reserved()).toEqual([]);
  });

  it('CHECK without prevResult, and CHECK of a removed interface, fail', () => {
    lab = new BridgeLab();
    const conf = lab.conf('1.0.0', V4);
    const p1 = lab.pod('p1');
    const r = lab.add(conf, { containerId: 'c1', netns: p1 });
    expect(lab.run('CHECK', conf, { containerId: 'c1', netns: p1 }).code).not.toBe(0);
    lab.inPod(p1, ['ip', 'link', 'del', 'eth0']);
    const out = lab.run('CHECK', { ...conf, prevResult: r }, { containerId: 'c1', netns: p1 });
    expect(out.code).not.toBe(0);
    expect(out.json?.msg).toMatch(/eth0/);
  });

  it('STATUS is passed to IPAM: fine with free addresses, code 50 once the range is used up', () => {
    lab = new BridgeLab();
    const conf = lab.conf('1.1.0', [[{ subnet: '10.88.0.0/29', rangeStart: '10.88.0.2', rangeEnd: '10.88.0.3' } as { subnet: string }]]);
    expect(lab.run('STATUS', conf).code).toBe(0);
    lab.add(conf, { containerId: 'c1', netns: lab.pod('p1') });
    lab.add(conf, { containerId: 'c2', netns: lab.pod('p2') });
    const status = lab.run('STATUS', conf);
    expect(status.code).not.toBe(0);
    expect(status.json?.code).toBe(50);
    const third = lab.run('ADD', conf, { containerId: 'c3', netns: lab.pod('p3') });
    expect(third.code).not.toBe(0);
    expect(third.json?.msg).toMatch(/10\.88\.0\.2-10\.88\.0\.3|no IP addresses available|exhausted|full/i);
    expect(lab.nodeLinks().filter((l) => l.ifname.startsWith('veth'))).toHaveLength(2);
  });
});
