import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.ts';
import { addScript, containersOf, missingRules, removeScript, udpPortsOf } from './rules.ts';
import { parseNatTable, splitWords } from './save.ts';

const conf = (extra: Record<string, unknown> = {}) =>
  parseConfig({
    cniVersion: '1.0.0',
    name: 'ptxnet',
    type: 'portmap',
    runtimeConfig: {
      portMappings: [
        { hostPort: 18080, containerPort: 80, protocol: 'tcp' },
        { hostPort: 18081, containerPort: 81, protocol: 'udp', hostIP: '10.99.0.1' },
        { hostPort: 18082, containerPort: 82, protocol: 'tcp', hostIP: 'fd00::1' },
      ],
    },
    ...extra,
  });
const v4 = { family: 4 as const, ip: '10.99.0.2', subnet: '10.99.0.0/24' };
const CHAIN = 'CNI-DN-788fdab9afb4d2e073821';

/** What the reference portmap (Debian 1.1.1) left in the nat table for the same pod and mappings. */
const REFERENCE_SAVE = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:CNI-DN-788fdab9afb4d2e073821 - [0:0]
:CNI-HOSTPORT-DNAT - [0:0]
:CNI-HOSTPORT-MASQ - [0:0]
:CNI-HOSTPORT-SETMARK - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
-A POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ
-A CNI-DN-788fdab9afb4d2e073821 -s 10.99.0.0/24 -p tcp -m tcp --dport 18080 -j CNI-HOSTPORT-SETMARK
-A CNI-DN-788fdab9afb4d2e073821 -s 127.0.0.1/32 -p tcp -m tcp --dport 18080 -j CNI-HOSTPORT-SETMARK
-A CNI-DN-788fdab9afb4d2e073821 -p tcp -m tcp --dport 18080 -j DNAT --to-destination 10.99.0.2:80
-A CNI-DN-788fdab9afb4d2e073821 -s 10.99.0.0/24 -d 10.99.0.1/32 -p udp -m udp --dport 18081 -j CNI-HOSTPORT-SETMARK
-A CNI-DN-788fdab9afb4d2e073821 -s 127.0.0.1/32 -d 10.99.0.1/32 -p udp -m udp --dport 18081 -j CNI-HOSTPORT-SETMARK
-A CNI-DN-788fdab9afb4d2e073821 -d 10.99.0.1/32 -p udp -m udp --dport 18081 -j DNAT --to-destination 10.99.0.2:81
-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"ptxnet\\" id: \\"ctrA\\"" -m multiport --dports 18080,18082 -j CNI-DN-788fdab9afb4d2e073821
-A CNI-HOSTPORT-DNAT -p udp -m comment --comment "dnat name: \\"ptxnet\\" id: \\"ctrA\\"" -m multiport --dports 18081 -j CNI-DN-788fdab9afb4d2e073821
-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE
-A CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark 0x2000/0x2000
COMMIT
`;
const EMPTY = parseNatTable('*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n');

describe('splitWords', () => {
  it('reads quoted words with escaped quotes as iptables-restore does', () => {
    expect(splitWords('-m comment --comment "dnat name: \\"n\\" id: \\"c\\"" -j X')).toEqual(['-m', 'comment', '--comment', 'dnat name: "n" id: "c"', '-j', 'X']);
  });
});

describe('addScript', () => {
  it('creates the reference layout in an empty nat table, in one transaction', () => {
    expect(addScript(conf(), 'ctrA', v4, EMPTY)).toBe(
      [
        '*nat',
        `:${CHAIN} - [0:0]`,
        '-N CNI-HOSTPORT-SETMARK',
        '-N CNI-HOSTPORT-MASQ',
        '-N CNI-HOSTPORT-DNAT',
        '-A CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark 0x2000/0x2000',
        '-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE',
        '-I POSTROUTING 1 -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ',
        '-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
        '-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
        `-I CNI-HOSTPORT-DNAT 1 -p udp -m comment --comment "dnat name: \\"ptxnet\\" id: \\"ctrA\\"" -m multiport --dports 18081 -j ${CHAIN}`,
        `-I CNI-HOSTPORT-DNAT 1 -p tcp -m comment --comment "dnat name: \\"ptxnet\\" id: \\"ctrA\\"" -m multiport --dports 18080,18082 -j ${CHAIN}`,
        `-A ${CHAIN} -p tcp --dport 18080 -s 10.99.0.0/24 -j CNI-HOSTPORT-SETMARK`,
        `-A ${CHAIN} -p tcp --dport 18080 -s 127.0.0.1 -j CNI-HOSTPORT-SETMARK`,
        `-A ${CHAIN} -p tcp --dport 18080 -j DNAT --to-destination 10.99.0.2:80`,
        `-A ${CHAIN} -p udp --dport 18081 -d 10.99.0.1 -s 10.99.0.0/24 -j CNI-HOSTPORT-SETMARK`,
        `-A ${CHAIN} -p udp --dport 18081 -d 10.99.0.1 -s 127.0.0.1 -j CNI-HOSTPORT-SETMARK`,
        `-A ${CHAIN} -p udp --dport 18081 -d 10.99.0.1 -j DNAT --to-destination 10.99.0.2:81`,
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it('on a table that has the layout, touches only the container chain and replaces its entry rules', () => {
    const script = addScript(conf(), 'ctrA', v4, parseNatTable(REFERENCE_SAVE));
    expect(script).not.toContain('-N ');
    expect(script).not.toContain('POSTROUTING');
    expect(script).not.toContain('-A PREROUTING');
    expect(script).toContain(`:${CHAIN} - [0:0]`);
    expect(script.match(/^-D CNI-HOSTPORT-DNAT .*/gm)).toHaveLength(2);
  });

  it('honours masqAll, snat=false, markMasqBit, externalSetMarkChain and conditions', () => {
    expect(addScript(conf({ masqAll: true }), 'c', v4, EMPTY)).toContain('-s 0.0.0.0/0 -j CNI-HOSTPORT-SETMARK');
    expect(addScript(conf({ masqAll: true }), 'c', v4, EMPTY)).not.toContain('127.0.0.1');
    const noSnat = addScript(conf({ snat: false }), 'c', v4, EMPTY);
    expect(noSnat).not.toMatch(/SETMARK|MASQ/);
    expect(addScript(conf({ markMasqBit: 31 }), 'c', v4, EMPTY)).toContain('--set-xmark 0x80000000/0x80000000');
    const ext = addScript(conf({ externalSetMarkChain: 'KUBE-MARK-MASQ' }), 'c', v4, EMPTY);
    expect(ext).toContain('-j KUBE-MARK-MASQ');
    expect(ext).not.toContain('CNI-HOSTPORT-SETMARK');
    expect(addScript(conf({ conditionsV4: ['!', '-s', '192.168.0.0/16'] }), 'c', v4, EMPTY)).toContain('--dports 18080,18082 ! -s 192.168.0.0/16 -j');
  });

  it('writes IPv6 destinations in brackets and skips IPv4 hostIPs', () => {
    const script = addScript(conf(), 'ctrA', { family: 6, ip: 'fd00::2', subnet: 'fd00::/64' }, EMPTY);
    expect(script).toContain('-p tcp --dport 18082 -d fd00::1 -j DNAT --to-destination [fd00::2]:82');
    expect(script).not.toContain('--dport 18081');
    expect(script).not.toContain('127.0.0.1');
  });
});

describe('reading the reference rules back', () => {
  const table = parseNatTable(REFERENCE_SAVE);

  it('removes the container chain and every jump to it, nothing shared', () => {
    expect(removeScript(table, 'ptxnet', 'ctrA')).toBe(
      [
        '*nat',
        `-D CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"ptxnet\\" id: \\"ctrA\\"" -m multiport --dports 18080,18082 -j ${CHAIN}`,
        `-D CNI-HOSTPORT-DNAT -p udp -m comment --comment "dnat name: \\"ptxnet\\" id: \\"ctrA\\"" -m multiport --dports 18081 -j ${CHAIN}`,
        `-F ${CHAIN}`,
        `-X ${CHAIN}`,
        'COMMIT',
        '',
      ].join('\n'),
    );
    expect(removeScript(table, 'othernet', 'ctrA')).toBeUndefined();
  });

  it('finds UDP host ports and the containers of a network', () => {
    expect(udpPortsOf(table, CHAIN)).toEqual([18081]);
    expect(containersOf(table, 'ptxnet')).toEqual(['ctrA']);
    expect(containersOf(table, 'other')).toEqual([]);
  });

  it('accepts the reference rules on CHECK and names what is missing', () => {
    expect(missingRules(conf(), 'ctrA', v4, table)).toEqual([]);
    const noUdp = parseNatTable(REFERENCE_SAVE.replace(/^-A CNI-DN-\S+ -d 10.99.0.1\/32 -p udp .*DNAT.*\n/m, ''));
    expect(missingRules(conf(), 'ctrA', v4, noUdp)).toEqual([`no DNAT of udp/18081 on 10.99.0.1 to 10.99.0.2:81 in ${CHAIN}`]);
    expect(missingRules(conf(), 'ctrB', v4, table)).toEqual([expect.stringMatching(/^chain CNI-DN-\S+ does not exist$/)]);
  });
});
