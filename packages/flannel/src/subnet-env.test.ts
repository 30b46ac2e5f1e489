import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CniError } from '@cni-ts/core';
import { loadSubnetEnv, parseSubnetEnv } from './subnet-env.ts';

const parse = (text: string) => parseSubnetEnv(text, '/run/flannel/subnet.env');
const errorOf = (fn: () => unknown): CniError => {
  try {
    fn();
  } catch (err) {
    return err as CniError;
  }
  throw new Error('expected an error');
};

describe('parseSubnetEnv', () => {
  it('reads the IPv4 file flanneld writes (the reference test input)', () => {
    const env = parse('\nFLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true\n');
    expect(env).toEqual({ networks: ['10.1.0.0/16'], subnet: '10.1.17.0/24', ipv6Networks: [], ipv6Subnet: undefined, mtu: 1472, ipMasq: true, ipv6Masq: true });
  });

  it('reads IPv6 only and dual stack, masking the subnets to their networks', () => {
    const v6 = parse('FLANNEL_IPV6_NETWORK=fc00::/48\nFLANNEL_IPV6_SUBNET=fc00::1/64\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true\n');
    expect(v6.ipv6Networks).toEqual(['fc00::/48']);
    expect(v6.ipv6Subnet).toBe('fc00::/64');
    expect(v6.subnet).toBeUndefined();
    const dual = parse(
      'FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_IPV6_NETWORK=fc00::/48\nFLANNEL_IPV6_SUBNET=fc00:0:0:11::1/64\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=false\n',
    );
    expect(dual).toMatchObject({ networks: ['10.1.0.0/16'], subnet: '10.1.17.0/24', ipv6Networks: ['fc00::/48'], ipv6Subnet: 'fc00:0:0:11::/64', mtu: 1450, ipMasq: false });
  });

  it('splits and deduplicates a comma-separated FLANNEL_NETWORK', () => {
    const env = parse('FLANNEL_NETWORK=10.1.0.0/16, 192.168.0.0/16,10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true');
    expect(env.networks).toEqual(['10.1.0.0/16', '192.168.0.0/16']);
  });

  it('tolerates quotes, comments, blank lines, export and CRLF', () => {
    const env = parse('# written by hand\r\n\r\nexport FLANNEL_NETWORK="10.1.0.0/16"\r\n  FLANNEL_SUBNET=\'10.1.17.1/24\'\r\nFLANNEL_MTU=1472\r\nFLANNEL_IPMASQ=true\r\nOTHER=ignored\r\nnot an assignment\r\n');
    expect(env).toMatchObject({ networks: ['10.1.0.0/16'], subnet: '10.1.17.0/24', mtu: 1472, ipMasq: true });
  });

  it('reads FLANNEL_IPV6_MASQ apart from FLANNEL_IPMASQ, which covers both when it is absent', () => {
    const base = 'FLANNEL_IPV6_NETWORK=fc00::/48\nFLANNEL_IPV6_SUBNET=fc00::1/64\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true\n';
    expect(parse(base).ipv6Masq).toBe(true);
    expect(parse(`${base}FLANNEL_IPV6_MASQ=false`)).toMatchObject({ ipMasq: true, ipv6Masq: false });
    expect(parse(`${base.replace('IPMASQ=true', 'IPMASQ=false')}FLANNEL_IPV6_MASQ=true`)).toMatchObject({ ipMasq: false, ipv6Masq: true });
  });

  it('counts only the exact word "true" as FLANNEL_IPMASQ', () => {
    const base = 'FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU=1472\n';
    expect(parse(`${base}FLANNEL_IPMASQ=True`).ipMasq).toBe(false);
    expect(parse(`${base}FLANNEL_IPMASQ=true`).ipMasq).toBe(true);
  });

  it('names every missing key, as the reference does (code 7)', () => {
    const e = errorOf(() => parse('foo=bar'));
    expect(e.code).toBe(7);
    expect(e.message).toContain('missing FLANNEL_NETWORK, FLANNEL_IPV6_NETWORK, FLANNEL_SUBNET, FLANNEL_IPV6_SUBNET, FLANNEL_MTU, FLANNEL_IPMASQ');
  });

  it.each([
    ['FLANNEL_NETWORK', 'FLANNEL_NETWORK=10.1.0.0/16,bogus\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true'],
    ['FLANNEL_NETWORK', 'FLANNEL_NETWORK=fc00::/48\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true'],
    ['FLANNEL_SUBNET', 'FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.300/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true'],
    ['FLANNEL_SUBNET', 'FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true'],
    ['FLANNEL_IPV6_SUBNET', 'FLANNEL_IPV6_NETWORK=fc00::/48\nFLANNEL_IPV6_SUBNET=fc00:::1/64\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true'],
    ['FLANNEL_MTU', 'FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU=14x2\nFLANNEL_IPMASQ=true'],
    ['FLANNEL_MTU', 'FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU=0\nFLANNEL_IPMASQ=true'],
  ])('a malformed %s is code 7 naming the key', (key, text) => {
    const e = errorOf(() => parse(text));
    expect(e).toBeInstanceOf(CniError);
    expect(e.code).toBe(7);
    expect(e.message).toContain(`${key}=`);
  });
});

describe('loadSubnetEnv', () => {
  it('a missing file is code 11 telling to check flanneld', () => {
    const e = errorOf(() => loadSubnetEnv('/nonexistent/flannel/subnet.env'));
    expect(e.code).toBe(11);
    expect(e.message).toMatch(/\/nonexistent\/flannel\/subnet\.env.*flanneld/);
  });

  it('reads a file from disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flannel-env-'));
    try {
      writeFileSync(join(dir, 'subnet.env'), 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.3.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n');
      expect(loadSubnetEnv(join(dir, 'subnet.env')).subnet).toBe('10.244.3.0/24');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
