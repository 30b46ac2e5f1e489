import { describe, expect, it } from 'vitest';
import { spoofCheckScript, spoofTeardownScript } from './spoofcheck.ts';

describe('macspoofchk rules (the reference layout)', () => {
  it('one transaction: table, base chain at -300, per-attachment chains flushed, jump, allow the MAC, drop the rest', () => {
    expect(spoofCheckScript('veth0a1b2c3d', '02:00:00:00:00:01', 'c1', 'eth0').split('\n')).toEqual([
      'add table bridge nat',
      'add chain bridge nat PREROUTING { type filter hook prerouting priority -300 ; policy accept ; }',
      'add chain bridge nat cni-br-iface-c1-eth0',
      'add chain bridge nat cni-br-iface-c1-eth0-mac',
      'flush chain bridge nat cni-br-iface-c1-eth0',
      'flush chain bridge nat cni-br-iface-c1-eth0-mac',
      'add rule bridge nat PREROUTING iifname "veth0a1b2c3d" jump cni-br-iface-c1-eth0 comment "macspoofchk-c1-eth0"',
      'add rule bridge nat cni-br-iface-c1-eth0 jump cni-br-iface-c1-eth0-mac comment "macspoofchk-c1-eth0"',
      'add rule bridge nat cni-br-iface-c1-eth0-mac ether saddr 02:00:00:00:00:01 return comment "macspoofchk-c1-eth0"',
      'add rule bridge nat cni-br-iface-c1-eth0-mac drop comment "macspoofchk-c1-eth0"',
      '',
    ]);
  });

  it('teardown removes only this attachment\'s jump and chains, from what the table holds', () => {
    const listing = JSON.stringify({
      nftables: [
        { chain: { name: 'PREROUTING' } },
        { chain: { name: 'cni-br-iface-c1-eth0' } },
        { chain: { name: 'cni-br-iface-c1-eth0-mac' } },
        { chain: { name: 'cni-br-iface-c2-eth0' } },
        { rule: { chain: 'PREROUTING', handle: 4, comment: 'macspoofchk-c1-eth0' } },
        { rule: { chain: 'PREROUTING', handle: 9, comment: 'macspoofchk-c2-eth0' } },
      ],
    });
    expect(spoofTeardownScript(listing, 'c1', 'eth0').split('\n')).toEqual([
      'delete rule bridge nat PREROUTING handle 4',
      'flush chain bridge nat cni-br-iface-c1-eth0',
      'flush chain bridge nat cni-br-iface-c1-eth0-mac',
      'delete chain bridge nat cni-br-iface-c1-eth0',
      'delete chain bridge nat cni-br-iface-c1-eth0-mac',
      '',
    ]);
    expect(spoofTeardownScript(listing, 'gone', 'eth0')).toBe('');
  });
});
