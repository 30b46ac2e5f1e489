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
    [{ snat: 'yes' }, 'snat: must be true or false, not "yes"'],
    [{ masqAll: 1 }, 'masqAll: must be true or false'],
    [{ markMasqBit: 32 }, 'markMasqBit: must be an integer from 0 to 31'],
    [{ markMasqBit: 1.5 }, 'markMasqBit: '],
    [{ markMasqBit: 3, externalSetMarkChain: 'X' }, 'externalSetMarkChain and markMasqBit cannot both be set'],
    [{ externalSetMarkChain: 'bad chain' }, 'externalSetMarkChain: must be an iptables chain name'],
    [{ externalSetMarkChain: '-j' }, 'externalSetMarkChain: must be an iptables chain name (1-28 printable characters, not starting with "-" or "!"), not "-j"'],
    [{ externalSetMarkChain: '!x' }, 'externalSetMarkChain: must be an iptables chain name'],
    [{ externalSetMarkChain: 'x'.repeat(29) }, 'externalSetMarkChain: must be an iptables chain name'],
    [{ externalSetMarkChain: 'X\n-A INPUT -j DROP' }, 'externalSetMarkChain: must be an iptables chain name'],
    [{ externalSetMarkChain: 'X"' }, 'externalSetMarkChain: must be an iptables chain name'],
    [{ externalSetMarkChain: 'ACCEPT' }, 'externalSetMarkChain: "ACCEPT" is reserved'],
    [{ backend: 'pf' }, 'backend: must be one of "iptables", "nftables", not "pf"'],
    [{ backend: 'iptables', conditionsV4: ['ip', 'saddr', '1.2.3.4'] }, 'use nftables syntax but backend is "iptables"'],
    [{ backend: 'nftables', conditionsV4: ['-s', '1.2.3.4'] }, 'use iptables syntax but backend is "nftables"'],
    [{ conditionsV4: ['-s', '1.2.3.4'], conditionsV6: ['ip6', 'saddr', '::1'] }, 'must use the same syntax'],
    [{ backend: 'nftables', externalSetMarkChain: 'MARKIT' }, 'externalSetMarkChain is an iptables chain'],
    [{ conditionsV4: ['ip saddr 1.1.1.1; flush ruleset'] }, 'conditionsV4[0]: must be a match token without'],
    [{ conditionsV4: ['ip saddr 1.1.1.1\nadd rule inet x y accept'] }, 'conditionsV4[0]: must be a match token without'],
    [{ conditionsV4: ['ip saddr 1.1.1.1 # rest'] }, 'conditionsV4[0]: must be a match token without'],
    [{ conditionsV4: ['-s', '1.1.1.1"'] }, 'conditionsV4[1]: must be a match token without'],
    [{ conditionsV4: ['-s', '1.1.1.1\r'] }, 'conditionsV4[1]: must be a match token without'],
    [{ conditionsV4: ['-j', 'ACCEPT'] }, 'conditionsV4[0]: "-j" is an iptables command, target or table option'],
    [{ conditionsV4: ['-s', '10.0.0.1', '-g', 'X'] }, 'conditionsV4[2]: "-g" is an iptables command'],
    [{ conditionsV4: ['-s', '10.0.0.1', '--jump=ACCEPT'] }, 'conditionsV4[2]: "--jump=ACCEPT" is an iptables command'],
    [{ conditionsV4: ['-s', '10.0.0.1', '--jum', 'ACCEPT'] }, 'conditionsV4[2]: "--jum" is an iptables command'],
    [{ conditionsV4: ['-s', '10.0.0.1', '-jACCEPT'] }, 'conditionsV4[2]: "-jACCEPT" is an iptables command'],
    [{ conditionsV4: ['-A', 'INPUT'] }, 'conditionsV4[0]: "-A" is an iptables command'],
    [{ conditionsV4: ['-s', '10.0.0.1', '-t', 'filter'] }, 'conditionsV4[2]: "-t" is an iptables command'],
    [{ conditionsV6: ['!', '-s', 'fd00::/8', '--append', 'INPUT'] }, 'conditionsV6[3]: "--append" is an iptables command'],
    [{ conditionsV4: ['-s', '10.0.0.1 -j ACCEPT'] }, 'conditionsV4[1]: "10.0.0.1 -j ACCEPT": an iptables condition is one argument per entry'],
    [{ conditionsV4: ['ip', 'saddr', '10.0.0.1', 'accept'] }, 'conditionsV4[3]: "accept" is an nft statement'],
    [{ conditionsV4: ['ip saddr 10.0.0.1 counter'] }, 'conditionsV4[0]: "counter" is an nft statement'],
    [{ conditionsV4: ['meta', 'mark', 'set', '1'] }, 'conditionsV4[2]: "set" is an nft statement'],
    [{ conditionsV4: ['ip', 'saddr', 'vmap', '{', '10.0.0.1', ':', 'drop', '}'] }, 'conditionsV4[2]: "vmap" is an nft statement'],
    [{ conditionsV4: ['ip', 'saddr', '10.0.0.1', 'JUMP', 'x'] }, 'conditionsV4[3]: "JUMP" is an nft statement'],
    [{ conditionsV4: ['ip', 'saddr', '{', '10.0.0.1'] }, 'conditionsV4: a "{" is never closed'],
    [{ conditionsV4: ['ip', 'saddr', '10.0.0.1', '}'] }, 'conditionsV4[3]: "}" without its "{"'],
    [{ conditionsV4: Array(65).fill('-s') }, 'conditionsV4: 65 entries, at most 64'],
    [{ conditionsV6: 'x' }, 'conditionsV6: must be a list, not "x"'],
    [{ conditionsV6: [1] }, 'conditionsV6[0]: must be a match token'],
    [{ runtimeConfig: { portMappings: {} } }, 'runtimeConfig.portMappings: must be a list'],
    [{ runtimeConfig: { portMappings: [{ hostPort: 0, containerPort: 80 }] } }, 'runtimeConfig.portMappings[0].hostPort: must be an integer from 1 to 65535, not 0'],
    [{ runtimeConfig: { portMappings: [{ containerPort: 80 }] } }, 'runtimeConfig.portMappings[0].hostPort: missing'],
    [{ runtimeConfig: { portMappings: [{ hostPort: 80, containerPort: 70000 }] } }, 'portMappings[0].containerPort'],
    [{ runtimeConfig: { portMappings: [{ hostPort: 80, containerPort: 80, protocol: 'icmp' }] } }, 'portMappings[0].protocol: must be one of tcp, udp, sctp'],
    [{ runtimeConfig: { portMappings: [{ hostPort: 80, containerPort: 80, hostIP: 'localhost' }] } }, 'portMappings[0].hostIP: "localhost" is not an IP address'],
    [{ runtimeConfig: { portMappings: Array(4097).fill({ hostPort: 80, containerPort: 80 }) } }, 'runtimeConfig.portMappings: 4097 entries, at most 4096'],
  ])('rejects %j with code 7 naming the key', (extra, message) => {
    const err = configError(extra);
    expect(err.code).toBe(7);
    expect(err.message).toContain(message);
  });

  it('accepts match conditions of either syntax', () => {
    const iptables = [['!', '-d', '10.0.0.0/8'], ['-s', '10.0.0.0/8', '-i', 'eth0'], ['-m', 'set', '--match-set', 'allowed', 'src'], ['--source', '1.2.3.4', '--destination', '5.6.7.8']];
    for (const c of iptables) expect(parseConfig(base({ conditionsV4: c })).conditionsV4).toEqual(c);
    const nft = [['ip', 'saddr', '{', '10.0.0.1,', '10.0.0.2', '}'], ['ip saddr != 10.0.0.0/8'], ['iifname', 'eth0', 'ct', 'state', 'new'], ['ip', 'saddr', '@allowed']];
    for (const c of nft) expect(parseConfig(base({ conditionsV4: c })).conditionsV4).toEqual(c);
  });

  it('lets nft-style conditions select nftables, iptables-style ones iptables', () => {
    expect(parseConfig(base({ conditionsV4: ['ip', 'saddr', '!=', '10.0.0.0/8'] })).backend).toBe('nftables');
    expect(parseConfig(base({ conditionsV6: ['!', '-s', 'fd00::/8'] })).backend).toBe('iptables');
    expect(parseConfig(base({ externalSetMarkChain: 'KUBE-MARK-MASQ' })).backend).toBe('iptables');
  });
});
