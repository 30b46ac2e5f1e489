import { describe, expect, it } from 'vitest';
import { parseIpCommand, splitBatch } from './ip-command.ts';

const parse = (line: string) => parseIpCommand(line.split(' '));

describe('splitBatch', () => {
  it('splits as ip -batch does: quotes, escapes, comments, blank lines keep their numbers', () => {
    expect(splitBatch('link set dev "a b" up\n\n# note\naddr show dev x\\ y\n')).toEqual([
      { number: 1, words: ['link', 'set', 'dev', 'a b', 'up'] },
      { number: 4, words: ['addr', 'show', 'dev', 'x y'] },
    ]);
  });
});

describe('parseIpCommand', () => {
  it('reads the commands the plugins write', () => {
    expect(parse('link add name br0 address 02:00:00:00:00:01 mtu 1400 type bridge vlan_filtering 1')).toEqual({
      op: 'add-bridge', name: 'br0', mac: '02:00:00:00:00:01', mtu: 1400, vlanFiltering: true,
    });
    expect(parse('link add veth0 address 02:00:00:00:00:02 type veth peer name eth0 address 02:00:00:00:00:03 mtu 1450 netns /run/netns/x')).toEqual({
      op: 'add-veth', name: 'veth0', mac: '02:00:00:00:00:02', peer: { name: 'eth0', mac: '02:00:00:00:00:03', mtu: 1450, netns: '/run/netns/x' },
    });
    expect(parse('link set dev veth0 master br0 up')).toEqual({ op: 'set-link', dev: 'veth0', master: 'br0', up: true });
    expect(parse('link set dev veth0 type bridge_slave hairpin on isolated off')).toEqual({ op: 'set-link', dev: 'veth0', port: { hairpin: true, isolated: false } });
    expect(parse('link set dev br0 type bridge vlan_filtering 1')).toEqual({ op: 'set-link', dev: 'br0', vlanFiltering: true });
    expect(parse('link set dev br0 promisc on')).toEqual({ op: 'set-link', dev: 'br0', promisc: true });
    expect(parse('addr replace fd00::1/64 dev br0 nodad')).toMatchObject({ op: 'addr', action: 'replace', address: { family: 6, prefix: 64 }, dev: 'br0', nodad: true });
    expect(parse('route add 10.0.0.0/8 via 10.1.0.1 dev eth0 metric 5 table 300 scope 0 mtu 1300 advmss 1200')).toMatchObject({
      op: 'add-route', dst: { family: 4, prefix: 8 }, via: { family: 4 }, dev: 'eth0', metric: 5, table: 300, scope: 0, mtu: 1300, advmss: 1200,
    });
    expect(parse('addr show dev br0')).toEqual({ op: 'show-link', dev: 'br0' });
    expect(parse('link del dev eth0')).toEqual({ op: 'del-link', dev: 'eth0' });
    expect(parse('addr add 10.0.0.2/24 dev eth0 broadcast 10.0.0.255')).toMatchObject({ op: 'addr', action: 'add', dev: 'eth0', broadcast: { family: 4, value: 0x0a0000ffn } });
  });

  it('leaves anything else to iproute2: unknown words, malformed values, a gateway of the other family', () => {
    for (const line of [
      'link del eth0',
      'link set dev x alias y',
      'link add name x type vxlan id 1',
      'link add name br0 address zz:00:00:00:00:01 type bridge',
      'link add name br0 mtu big type bridge',
      'link set dev x promisc maybe',
      'link set dev x master',
      'addr add 10.0.0.1/24 dev x noprefixroute',
      'addr add 10.0.0.300/24 dev x',
      'addr add 10.0.0.1/24 dev x broadcast fd00::1',
      'addr add fd00::1/64 dev x broadcast 10.0.0.255',
      'addr add 10.0.0.1/24 dev x broadcast',
      'route add 10.0.0.0/8 via fd00::1 dev x',
      'route add 10.0.0.0/8 via 10.0.0.1',
      'route add 10.0.0.0/8 dev x proto static',
      'neigh add 10.0.0.1 lladdr 02:00:00:00:00:01 dev x',
    ]) {
      expect(parse(line), line).toBeUndefined();
    }
  });
});
