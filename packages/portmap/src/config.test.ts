import { CniError, type NetConf } from '@cni-ts/core';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';

const base = (extra: Record<string, unknown> = {}): NetConf => ({ cniVersion: '1.0.0', name: 'net1', type: 'portmap', ...extra });

function configError(extra: Record<string, unknown>): CniError {
  try {
    parseConfig(base(extra));
  } catch (err) {
    expect(err).toBeInstanceOf(CniError);
    return err as CniError;
  }
  throw new Error('expected a config error');
}

describe('parseConfig', () => {
  it('applies the reference defaults', () => {
    const c = parseConfig(base());
    expect(c).toEqual({ network: 'net1', snat: true, masqAll: false, markMasqBit: 13, conditionsV4: [], conditionsV6: [], mappings: [] });
  });

  it('reads portMappings with any key case (containerd sends HostPort, ...)', () => {
    const c = parseConfig(base({ runtimeConfig: { PortMappings: [{ HostPort: 8080, ContainerPort: 80, Protocol: 'TCP', HostIP: '' }] } }));
    expect(c.mappings).toEqual([{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
  });

  it('keeps a hostIP family; the unspecified address means any address of that family', () => {
    const c = parseConfig(
      base({
        runtimeConfig: {
          portMappings: [
            { hostPort: 1, containerPort: 2, protocol: 'udp', hostIP: '0.0.0.0' },
            { hostPort: 3, containerPort: 4, protocol: 'sctp', hostIP: 'FD00:0::1' },
          ],
        },
      }),
    );
    expect(c.mappings).toEqual([
      { hostPort: 1, containerPort: 2, protocol: 'udp', hostFamily: 4 },
      { hostPort: 3, containerPort: 4, protocol: 'sctp', hostFamily: 6, hostIP: 'fd00::1' },
    ]);
  });

  it.each([
    [{ snat: 'yes' }, '"snat" must be a boolean'],
    [{ masqAll: 1 }, '"masqAll" must be a boolean'],
    [{ markMasqBit: 32 }, '"markMasqBit" must be an integer between 0 and 31'],
    [{ markMasqBit: 1.5 }, '"markMasqBit"'],
    [{ markMasqBit: 3, externalSetMarkChain: 'X' }, '"externalSetMarkChain" and "markMasqBit" cannot both be set'],
    [{ externalSetMarkChain: 'bad chain' }, '"externalSetMarkChain" must be an iptables chain name'],
    [{ backend: 'pf' }, '"backend" must be "iptables" or "nftables"'],
    [{ backend: 'iptables', conditionsV4: ['ip', 'saddr', '1.2.3.4'] }, 'use nftables syntax but "backend" is "iptables"'],
    [{ backend: 'nftables', conditionsV4: ['-s', '1.2.3.4'] }, 'use iptables syntax but "backend" is "nftables"'],
    [{ conditionsV4: ['-s', '1.2.3.4'], conditionsV6: ['ip6', 'saddr', '::1'] }, 'must use the same syntax'],
    [{ backend: 'nftables', externalSetMarkChain: 'MARKIT' }, '"externalSetMarkChain" is an iptables chain'],
    [{ conditionsV4: ['ip saddr 1.1.1.1; flush ruleset'] }, '"conditionsV4" contains a token'],
    [{ conditionsV6: 'x' }, '"conditionsV6" must be a list of strings'],
    [{ runtimeConfig: { portMappings: {} } }, 'runtimeConfig.portMappings must be a list'],
    [{ runtimeConfig: { portMappings: [{ hostPort: 0, containerPort: 80 }] } }, 'runtimeConfig.portMappings[0].hostPort must be an integer between 1 and 65535'],
    [{ runtimeConfig: { portMappings: [{ hostPort: 80, containerPort: 70000 }] } }, 'portMappings[0].containerPort'],
    [{ runtimeConfig: { portMappings: [{ hostPort: 80, containerPort: 80, protocol: 'icmp' }] } }, 'portMappings[0].protocol must be one of tcp, udp, sctp'],
    [{ runtimeConfig: { portMappings: [{ hostPort: 80, containerPort: 80, hostIP: 'localhost' }] } }, 'portMappings[0].hostIP is not an IP address'],
  ])('rejects %j with code 7 naming the key', (extra, message) => {
    const err = configError(extra);
    expect(err.code).toBe(7);
    expect(err.message).toContain(message);
  });

  it('lets nft-style conditions select nftables, iptables-style ones iptables', () => {
    expect(parseConfig(base({ conditionsV4: ['ip', 'saddr', '!=', '10.0.0.0/8'] })).backend).toBe('nftables');
    expect(parseConfig(base({ conditionsV6: ['!', '-s', 'fd00::/8'] })).backend).toBe('iptables');
    expect(parseConfig(base({ externalSetMarkChain: 'KUBE-MARK-MASQ' })).backend).toBe('iptables');
  });
});
