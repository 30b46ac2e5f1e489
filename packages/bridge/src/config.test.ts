import { describe, expect, it } from 'vitest';
import { CniError, type NetConf } from '@cni-ts/core';
import { parseConfig } from './config.ts';

const base = (extra: Record<string, unknown> = {}): NetConf => ({ cniVersion: '1.0.0', name: 'net', type: 'bridge', ...extra });

function refused(extra: Record<string, unknown>, cniArgs = ''): CniError {
  try {
    parseConfig(base(extra), cniArgs);
  } catch (err) {
    return err as CniError;
  }
  throw new Error(`accepted ${JSON.stringify(extra)}`);
}

describe('bridge config', () => {
  it('applies the reference defaults', () => {
    expect(parseConfig(base(), '')).toMatchObject({
      bridge: 'cni0', isGateway: false, isDefaultGateway: false, forceAddress: false, ipMasq: false, ipMasqBackend: undefined,
      mtu: undefined, hairpinMode: false, promiscMode: false, vlan: 0, vlanTrunk: [], preserveDefaultVlan: false,
      macspoofchk: false, enableDad: false, disableContainerInterface: false, portIsolation: false, ipamType: undefined, mac: undefined, dns: undefined,
    });
  });

  it('reads every key', () => {
    const cfg = parseConfig(
      base({
        bridge: 'br-x', isDefaultGateway: true, forceAddress: true, ipMasq: true, ipMasqBackend: 'nftables', mtu: 1400, promiscMode: true,
        vlan: 100, vlanTrunk: [{ id: 5 }, { minID: 10, maxID: 12 }], preserveDefaultVlan: true, macspoofchk: true, enabledad: true,
        portIsolation: true, ipam: { type: 'host-local' }, dns: { nameservers: ['10.0.0.53'], search: ['svc'] },
      }),
      '',
    );
    expect(cfg).toMatchObject({
      bridge: 'br-x', isGateway: true, isDefaultGateway: true, forceAddress: true, ipMasq: true, ipMasqBackend: 'nftables', mtu: 1400,
      promiscMode: true, vlan: 100, vlanTrunk: [5, 10, 11, 12], preserveDefaultVlan: true, macspoofchk: true, enableDad: true,
      portIsolation: true, ipamType: 'host-local', dns: { nameservers: ['10.0.0.53'], search: ['svc'] },
    });
  });

  it('treats "ipam": {} as L2 mode and accepts the documented "portIsolation": "true"', () => {
    expect(parseConfig(base({ ipam: {} }), '').ipamType).toBeUndefined();
    expect(parseConfig(base({ portIsolation: 'true' }), '').portIsolation).toBe(true);
  });

  it.each([
    [{ isGateway: 'yes' }, 'isGateway: '],
    [{ hairpinMode: 1 }, 'hairpinMode: '],
    [{ bridge: 42 }, 'bridge: '],
    [{ bridge: 'a-name-longer-than-15' }, 'bridge: '],
    [{ bridge: 'br;flush' }, 'bridge: must be a link name'],
    [{ mtu: 20 }, 'mtu: '],
    [{ mtu: 1.5 }, 'mtu: '],
    [{ vlan: 4095 }, 'vlan: '],
    [{ vlanTrunk: [{ id: 0 }] }, 'vlanTrunk[0].id: '],
    [{ vlanTrunk: [{ minID: 3 }] }, 'vlanTrunk[0]: a range needs both'],
    [{ vlanTrunk: [{ minID: 20, maxID: 10 }] }, 'vlanTrunk[0]: minID 20'],
    [{ vlanTrunk: {} }, 'vlanTrunk: '],
    [{ vlan: 5, vlanTrunk: [{ id: 5 }] }, 'vlan: '],
    [{ ipMasqBackend: 'pf' }, 'ipMasqBackend: '],
    [{ hairpinMode: true, promiscMode: true }, 'hairpinMode and promiscMode cannot'],
    [{ disableContainerInterface: true, ipam: { type: 'host-local' } }, 'disableContainerInterface cannot'],
    [{ ipam: { type: '../evil' } }, 'ipam.type: '],
    [{ dns: { nameservers: '1.1.1.1' } }, 'dns.nameservers: '],
    [{ runtimeConfig: { mac: 'zz:zz' } }, 'runtimeConfig.mac'],
    [{ args: { cni: { mac: '01:00:5e:00:00:01' } } }, 'multicast'],
    [{ runtimeConfig: { mac: '00:00:00:00:00:00' } }, 'runtimeConfig.mac: 00:00:00:00:00:00 is all zeros'],
    [{ runtimeConfig: { mac: '33:33:00:00:00:01' } }, 'runtimeConfig.mac: 33:33:00:00:00:01 is a multicast address'],
    [{ ipMasqBackend: '' }, 'ipMasqBackend: must be one of "iptables", "nftables", not ""'],
    [{ ipam: { type: '' } }, 'ipam.type: must be a plugin executable name, not ""'],
    [{ ipam: { subnet: '10.0.0.0/24' } }, 'ipam.type: missing'],
    [{ isGateway: 'true' }, 'isGateway: must be true or false, not "true"'],
    [{ mtu: '1450' }, 'mtu: must be an integer from 0 to 65535, not "1450"'],
    [{ dns: { nameservers: Array(65).fill('10.0.0.1') } }, 'dns.nameservers: 65 entries, at most 64'],
  ])('refuses %j with code 7 naming the key', (extra, key) => {
    const err = refused(extra);
    expect(err).toBeInstanceOf(CniError);
    expect(err.code).toBe(7);
    expect(err.message).toContain(key);
  });

  it('takes the MAC from runtimeConfig, then args.cni, then CNI_ARGS', () => {
    const all = { runtimeConfig: { mac: '02:00:00:00:00:01' }, args: { cni: { mac: '02:00:00:00:00:02' } } };
    expect(parseConfig(base(all), 'MAC=02:00:00:00:00:03').mac).toBe('02:00:00:00:00:01');
    expect(parseConfig(base({ args: all.args }), 'MAC=02:00:00:00:00:03').mac).toBe('02:00:00:00:00:02');
    expect(parseConfig(base(), 'IgnoreUnknown=1;MAC=02-00-00-00-00-AB;K8S_POD_NAME=x').mac).toBe('02:00:00:00:00:ab');
    expect(parseConfig(base({ runtimeConfig: { MAC: '02:00:00:00:00:09' } }), '').mac).toBe('02:00:00:00:00:09');
  });

  it('refuses a bad CNI_ARGS MAC with code 4 (the environment is wrong, not the config)', () => {
    for (const mac of ['nope', '00:00:00:00:00:00', '01:00:5e:00:00:01']) {
      const err = refused({}, `MAC=${mac}`);
      expect(err.code).toBe(4);
      expect(err.message).toContain('CNI_ARGS MAC');
    }
  });
});
