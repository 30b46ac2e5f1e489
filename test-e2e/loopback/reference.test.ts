import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atLeast } from '@cni-ts/core';
import { comparable, conf, LoopbackLab } from './lib.ts';

let lab: LoopbackLab;
beforeEach(() => {
  lab = new LoopbackLab();
});
afterEach(() => lab.cleanup());

const LO_UP = { flags: ['LOOPBACK', 'UP', 'LOWER_UP'], operstate: 'UNKNOWN', addrs: ['127.0.0.1/8', '::1/128'] };
const LO_DOWN = { flags: ['LOOPBACK'], operstate: 'DOWN', addrs: ['127.0.0.1/8'] };
/** The reference's result at 1.0.0, sandbox made comparable. */
const LO_RESULT = {
  interfaces: [{ name: 'lo', mac: '00:00:00:00:00:00', sandbox: '<netns>' }],
  ips: [{ interface: 0, address: '127.0.0.1/8' }, { interface: 0, address: '::1/128' }],
};

type Impl = 'ours' | 'reference';

/**
 * One pod's life with one implementation, in a fresh namespace: ADD (CNI_IFNAME as containerd sends
 * it), CHECK where the version has it, DEL and DEL again, with lo up and down in the kernel as
 * they should be. Returns ADD's result, comparable across namespaces.
 */
function podLife(impl: Impl, version: string, ifName = 'lo'): unknown {
  const netns = lab.pod(impl);
  const call = { config: conf(version), ifName, netns };
  const added = lab[impl]({ command: 'ADD', ...call });
  expect(added.code, added.stdout).toBe(0);
  expect(lab.lo(netns)).toEqual(LO_UP);
  if (atLeast(version, '0.4.0')) expect(lab[impl]({ command: 'CHECK', ...call }).code).toBe(0);
  for (const _ of [1, 2]) expect(lab[impl]({ command: 'DEL', ...call }).code).toBe(0);
  expect(lab.lo(netns)).toEqual(LO_DOWN);
  return comparable(added.json, netns);
}

const sideBySide = (version: string, ifName?: string): { ours: unknown; reference: unknown } => ({
  ours: podLife('ours', version, ifName),
  reference: podLife('reference', version, ifName),
});

describe('loopback, ours and the reference side by side in pod namespaces', () => {
  it('1.0.0: the same result and the same lo, up after ADD and down after DEL (twice)', () => {
    const { ours, reference } = sideBySide('1.0.0');
    expect(ours).toEqual({ cniVersion: '1.0.0', ...LO_RESULT });
    expect(ours).toEqual(reference);
  });

  for (const version of ['0.3.0', '0.3.1', '0.4.0']) {
    it(`${version}: the reference's addresses, each with the "version" these results carry`, () => {
      const { ours, reference } = sideBySide(version);
      // Debian's reference (1.1.1) prints its 1.0.0 result under the old version number, without
      // the "version" the 0.3.x and 0.4.0 specs require of each IP; ours has the spec's shape.
      expect(reference).toEqual({ cniVersion: version, ...LO_RESULT });
      expect(ours).toEqual({
        cniVersion: version,
        interfaces: LO_RESULT.interfaces,
        ips: [{ version: '4', ...LO_RESULT.ips[0] }, { version: '6', ...LO_RESULT.ips[1] }],
      });
    });
  }

  for (const version of ['0.1.0', '0.2.0']) {
    it(`${version}: the same addresses in the ip4/ip6 shape of the old spec`, () => {
      const { ours, reference } = sideBySide(version);
      expect(reference).toEqual({ cniVersion: version, ...LO_RESULT }); // the reference's 1.0.0 shape again
      expect(ours).toEqual({ cniVersion: version, ip4: { ip: '127.0.0.1/8' }, ip6: { ip: '::1/128' } });
    });
  }

  it('1.1.0: ours gives its 1.0.0 result; the reference refuses the version (it predates it)', () => {
    expect(podLife('ours', '1.1.0')).toEqual({ cniVersion: '1.1.0', ...LO_RESULT });
    const reference = lab.reference({ command: 'ADD', config: conf('1.1.0'), netns: lab.pod('ref') });
    expect(reference.json).toMatchObject({ code: 1, msg: 'incompatible CNI versions' });
  });

  it('sets up lo whatever CNI_IFNAME says, as the reference does', () => {
    const { ours, reference } = sideBySide('1.0.0', 'eth0');
    expect(ours).toEqual(reference);
    expect(ours).toMatchObject({ interfaces: [{ name: 'lo' }] });
  });

  it('with IPv6 disabled in the namespace: only 127.0.0.1/8, the same as the reference', () => {
    const [a, b] = [lab.pod('ours'), lab.pod('ref')];
    for (const ns of [a, b]) lab.disableIpv6(ns);
    const ours = lab.ours({ command: 'ADD', netns: a });
    const reference = lab.reference({ command: 'ADD', netns: b });
    expect(comparable(ours.json, a)).toEqual(comparable(reference.json, b));
    expect(ours.json?.ips).toEqual([{ interface: 0, address: '127.0.0.1/8' }]);
    expect(lab.lo(a)).toEqual({ ...LO_UP, addrs: ['127.0.0.1/8'] });
    expect(lab.lo(b)).toEqual(lab.lo(a));
  });

  for (const version of ['0.4.0', '1.0.0']) {
    it(`${version}: after another plugin, passes its prevResult through as the reference does`, () => {
      const [a, b] = [lab.pod('ours'), lab.pod('ref')];
      const prevResult = {
        cniVersion: version,
        interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', sandbox: '/run/netns/elsewhere' }],
        ips: [{ ...(version === '0.4.0' && { version: '4' }), interface: 0, address: '10.1.0.5/24', gateway: '10.1.0.1' }],
        routes: [{ dst: '0.0.0.0/0' }],
      };
      const ours = lab.ours({ command: 'ADD', config: conf(version, { prevResult }), netns: a });
      const reference = lab.reference({ command: 'ADD', config: conf(version, { prevResult }), netns: b });
      expect(ours.json).toEqual(prevResult);
      expect(comparable(ours.json, a)).toEqual(comparable(reference.json, b));
      expect(lab.lo(a)).toEqual(LO_UP);
    });
  }
});

describe('DEL variants, as containerd sends them', () => {
  it('CNI_NETNS empty (the second DEL at RemovePodSandbox): success, nothing printed, like the reference', () => {
    const ours = lab.ours({ command: 'DEL', netns: '' });
    const reference = lab.reference({ command: 'DEL', netns: '' });
    expect([ours.code, ours.stdout]).toEqual([0, '']);
    expect([reference.code, reference.stdout]).toEqual([0, '']);
  });

  it('the namespace gone since ADD: success, like the reference', () => {
    const [a, b] = [lab.pod('ours'), lab.pod('ref')];
    expect(lab.ours({ command: 'ADD', netns: a }).code).toBe(0);
    expect(lab.reference({ command: 'ADD', netns: b }).code).toBe(0);
    lab.remove(a);
    lab.remove(b);
    for (const _ of [1, 2]) {
      expect(lab.ours({ command: 'DEL', netns: a })).toMatchObject({ code: 0, stdout: '' });
      expect(lab.reference({ command: 'DEL', netns: b })).toMatchObject({ code: 0, stdout: '' });
    }
  });
});

describe('CHECK', () => {
  it('passes while lo is up, fails with the reference\'s words once it is down', () => {
    const [a, b] = [lab.pod('ours'), lab.pod('ref')];
    expect(lab.ours({ command: 'ADD', netns: a }).code).toBe(0);
    expect(lab.reference({ command: 'ADD', netns: b }).code).toBe(0);
    expect(lab.ours({ command: 'CHECK', netns: a })).toMatchObject({ code: 0, stdout: '' });
    expect(lab.reference({ command: 'CHECK', netns: b })).toMatchObject({ code: 0, stdout: '' });
    for (const ns of [a, b]) expect(lab.ours({ command: 'DEL', netns: ns }).code).toBe(0);
    const ours = lab.ours({ command: 'CHECK', netns: a });
    const reference = lab.reference({ command: 'CHECK', netns: b });
    expect(ours.json).toEqual({ cniVersion: '1.0.0', code: 999, msg: 'loopback interface is down' });
    expect(reference.json).toMatchObject({ code: 999, msg: 'loopback interface is down' });
  });
});
