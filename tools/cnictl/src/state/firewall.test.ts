import { describe, expect, it } from 'vitest';
import { parseNatTable } from '@cni-ts/portmap/iptables/save';
import { iptablesSets, nftHostportSets, nftMasqSets } from './firewall.ts';

const SAVED = `*nat
:POSTROUTING ACCEPT [0:0]
:CNI-HOSTPORT-DNAT - [0:0]
:CNI-0123456789abcdef01234567 - [0:0]
:CNI-DN-0123456789abcdef01234 - [0:0]
-A POSTROUTING -s 10.1.0.2/32 -m comment --comment "name: \\"net\\" id: \\"c1\\"" -j CNI-0123456789abcdef01234567
-A CNI-0123456789abcdef01234567 -d 10.1.0.0/24 -m comment --comment "name: \\"net\\" id: \\"c1\\"" -j ACCEPT
-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"net\\" id: \\"c1\\"" -m multiport --dports 8080 -j CNI-DN-0123456789abcdef01234
-A CNI-DN-0123456789abcdef01234 -d 192.0.2.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.1.0.2:80
COMMIT
`;

describe('reading the plugins\' rules back', () => {
  it('iptables: masquerade chains and hostPort DNATs by their comments, with the ports', () => {
    expect(iptablesSets(parseNatTable(SAVED), 4)).toEqual([
      { kind: 'masquerade', backend: 'iptables', network: 'net', containerId: 'c1', chain: 'CNI-0123456789abcdef01234567', hostPorts: [] },
      { kind: 'hostport', backend: 'iptables', network: 'net', containerId: 'c1', chain: 'CNI-DN-0123456789abcdef01234', hostPorts: [{ protocol: 'tcp', port: 8080, hostIP: '192.0.2.1' }] },
    ]);
  });

  it('nftables: masquerade rules per attachment, DNAT chains with their forwards', () => {
    const masq = nftMasqSets([
      { chain: 'masq_checks', comment: 'aaaa-bbbb, net: net, if: eth0, id: c1', expr: [] },
      { chain: 'masq_checks', comment: 'aaaa-bbbb, net: net, if: eth0, id: c1', expr: [] },
      { chain: 'postrouting', expr: [] },
    ]);
    expect(masq).toEqual([{ kind: 'masquerade', backend: 'nftables', network: 'net', containerId: 'c1', chain: 'masq_checks', hostPorts: [] }]);
    const dnat = {
      chain: 'dn-abc',
      comment: 'net=net id=c2 if=eth0',
      expr: [{ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 9090 } }, { dnat: { family: 'ip', addr: '10.1.0.3', port: 80 } }],
    };
    expect(nftHostportSets([dnat, { chain: 'hostports_all', expr: [] }])).toEqual([
      { kind: 'hostport', backend: 'nftables', network: 'net', containerId: 'c2', chain: 'dn-abc', hostPorts: [{ protocol: 'tcp', port: 9090 }] },
    ]);
  });
});
