import { describe, expect, it } from 'vitest';
import { capabilityArg, cniArg, getInsensitive, parseCniArgs } from './args.ts';
import { ErrorCode } from './spec/errors.ts';

describe('parseCniArgs', () => {
  it('reads K=V pairs the plugin knows', () => {
    expect(parseCniArgs('IP=10.0.0.2;MAC=0a:58:00:00:00:01', ['IP', 'MAC'])).toEqual({ IP: '10.0.0.2', MAC: '0a:58:00:00:00:01' });
  });

  it('reads nothing from an absent or empty CNI_ARGS', () => {
    expect(parseCniArgs(undefined, [])).toEqual({});
    expect(parseCniArgs('', [])).toEqual({});
  });

  it('refuses empty pairs with code 4, as libcni does (";;;", a trailing ";")', () => {
    for (const bad of [';;;', 'IP=1.2.3.4;', ';IP=1.2.3.4', 'IP=1.2.3.4;;MAC=x']) {
      expect(() => parseCniArgs(bad, ['IP', 'MAC'])).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidEnvironment, message: 'CNI_ARGS: invalid pair "" (expected KEY=VALUE;KEY=VALUE)' }));
    }
  });

  it('refuses a key given twice rather than picking one', () => {
    expect(() => parseCniArgs('IP=10.0.0.2;IP=10.0.0.3', ['IP'])).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidEnvironment, message: 'CNI_ARGS: "IP" is given twice' }));
  });

  it('keys are case-sensitive, as libcni matches them to struct fields', () => {
    expect(() => parseCniArgs('ip=10.0.0.2', ['IP'])).toThrowError('CNI_ARGS: unknown args ["ip"]');
  });

  it('refuses unknown keys with code 4 unless IgnoreUnknown is true', () => {
    expect(() => parseCniArgs('K8S_POD_NAME=p', [])).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidEnvironment }));
    expect(() => parseCniArgs('IgnoreUnknown=0;K8S_POD_NAME=p', [])).toThrowError(/unknown args \["K8S_POD_NAME"\]/);
    expect(() => parseCniArgs('IgnoreUnknown=false;X=1', [])).toThrowError(/unknown args/);
    expect(() => parseCniArgs('IgnoreUnknown=False;X=1', [])).toThrowError(/unknown args/);
    for (const yes of ['1', 'true', 'True']) {
      const kubelet = `IgnoreUnknown=${yes};K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p;K8S_POD_INFRA_CONTAINER_ID=abc`;
      expect(parseCniArgs(kubelet, ['IP'])).toMatchObject({ K8S_POD_NAME: 'p', IgnoreUnknown: yes });
    }
  });

  it('refuses an IgnoreUnknown that is not a boolean', () => {
    expect(() => parseCniArgs('IgnoreUnknown=yes', [])).toThrowError('CNI_ARGS: IgnoreUnknown must be 1, true, True, 0, false or False, not "yes"');
  });

  it('refuses a pair without exactly one "=" or with an empty key', () => {
    for (const bad of ['IP', 'IP=1=2', '=v']) {
      expect(() => parseCniArgs(bad, ['IP'])).toThrowError(`CNI_ARGS: invalid pair "${bad}" (expected KEY=VALUE;KEY=VALUE)`);
    }
  });
});

describe('case-insensitive keys', () => {
  const rc = { PortMappings: [{ HostPort: 8080 }], portmappings: 'lower', mac: 'm' };

  it('prefers the exact key, then any spelling', () => {
    expect(getInsensitive(rc, 'PortMappings')).toEqual([{ HostPort: 8080 }]);
    expect(getInsensitive({ PortMappings: 1 }, 'portMappings')).toBe(1);
    expect(getInsensitive({ hostport: 1 }, 'hostPort')).toBe(1);
    expect(getInsensitive(rc, 'bandwidth')).toBeUndefined();
    expect(getInsensitive(undefined, 'x')).toBeUndefined();
  });

  it('capabilityArg reads runtimeConfig as containerd spells it', () => {
    expect(capabilityArg({ PortMappings: [] }, 'portMappings')).toEqual([]);
    expect(capabilityArg(undefined, 'portMappings')).toBeUndefined();
  });
});

describe('cniArg', () => {
  it('reads args.cni.<key>', () => {
    expect(cniArg({ cni: { ips: ['10.0.0.2'] } }, 'ips')).toEqual(['10.0.0.2']);
    expect(cniArg({ cni: { ips: [] } }, 'mac')).toBeUndefined();
    expect(cniArg({ cni: null }, 'ips')).toBeUndefined();
    expect(cniArg({ cni: 'x' }, 'ips')).toBeUndefined();
    expect(cniArg({}, 'ips')).toBeUndefined();
    expect(cniArg(undefined, 'ips')).toBeUndefined();
  });
});
