import { RecordingRunner, type RecordedCall } from '@cni-ts/linux';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.ts';
import { nftChains } from '../naming.ts';
import { NftablesForwarder } from './forwarder.ts';
import { TABLE } from './rules.ts';

const conf = parseConfig({
  cniVersion: '1.0.0',
  name: 'n1',
  type: 'portmap',
  runtimeConfig: {
    portMappings: [
      { hostPort: 8080, containerPort: 80, protocol: 'tcp' },
      { hostPort: 5353, containerPort: 53, protocol: 'udp', hostIP: '10.99.0.1' },
    ],
  },
});
const att = { network: 'n1', containerId: 'c1', ifName: 'eth0' };
const { dnat, snat } = nftChains(att);
const targets = [{ family: 4 as const, ip: '10.99.0.2', subnet: '10.99.0.0/24' }];

/** `nft -j list chain` output for c1's DNAT chain, as nft 1.0.6 prints it. */
const CHAIN_JSON = JSON.stringify({
  nftables: [
    { chain: { family: 'inet', table: TABLE, name: dnat } },
    {
      rule: {
        chain: dnat,
        comment: 'net=n1 id=c1 if=eth0',
        expr: [
          { match: { op: '==', left: { meta: { key: 'nfproto' } }, right: 'ipv4' } },
          { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 8080 } },
          { dnat: { family: 'ip', addr: '10.99.0.2', port: 80 } },
        ],
      },
    },
    {
      rule: {
        chain: dnat,
        comment: 'net=n1 id=c1 if=eth0',
        expr: [
          { match: { op: '==', left: { payload: { protocol: 'udp', field: 'dport' } }, right: 5353 } },
          { match: { op: '==', left: { payload: { protocol: 'ip', field: 'daddr' } }, right: '10.99.0.1' } },
          { dnat: { family: 'ip', addr: '10.99.0.2', port: 53 } },
        ],
      },
    },
  ],
});

const isWrite = (c: RecordedCall): boolean => c.argv.join(' ') === 'nft -f -';

describe('NftablesForwarder', () => {
  it('ADD is one nft transaction that writes without reading', async () => {
    const runner = new RecordingRunner();
    await new NftablesForwarder(runner).add({ att, conf, targets });
    expect(runner.calls).toHaveLength(1);
    const script = runner.calls[0]!.input!;
    expect(script).toContain(`add rule inet ${TABLE} ${dnat} meta nfproto ipv4 meta l4proto tcp th dport 8080 dnat ip to 10.99.0.2:80 comment "net=n1 id=c1 if=eth0"`);
    expect(script).toContain(`add rule inet ${TABLE} ${dnat} meta nfproto ipv4 meta l4proto udp th dport 5353 ip daddr 10.99.0.1 dnat ip to 10.99.0.2:53`);
    expect(script).toContain(`add element inet ${TABLE} hostports { ipv4 . tcp . 8080 : jump ${dnat} }`);
    expect(script).toContain(`add element inet ${TABLE} hostip4_hostports { 10.99.0.1 . udp . 5353 : jump ${dnat} }`);
    expect(script).toContain(`add element inet ${TABLE} masq4 { 10.99.0.2 : jump ${snat} }`);
    expect(script).toContain(`add rule inet ${TABLE} ${snat} ip saddr 10.99.0.0/24 masquerade`);
    expect(script).toContain(`add rule inet ${TABLE} ${snat} ip saddr 127.0.0.1 masquerade`);
  });

  it('ADD takes over a port another attachment holds, in the retried transaction', async () => {
    let writes = 0;
    const runner = new RecordingRunner((c) => {
      if (isWrite(c)) return ++writes === 1 ? { code: 1, stderr: 'Error: Could not process rule: File exists' } : {};
      if (c.argv.includes('hostports') && c.argv.at(-1) === '{ ipv4 . tcp . 8080 }') return { stdout: 'elements = { ipv4 . tcp . 8080 : jump dn-other }' };
      return { code: 1, stderr: 'Error: No such file or directory' };
    });
    await new NftablesForwarder(runner).add({ att, conf, targets });
    const retry = runner.calls.filter(isWrite)[1]!.input!;
    expect(retry).toContain(`delete element inet ${TABLE} hostports { ipv4 . tcp . 8080 }`);
    expect(retry).not.toContain('delete element inet cni_ts_hostport masq4');
  });

  it('DEL reads its own chain, deletes only the elements still its own, and drops its chains', async () => {
    const runner = new RecordingRunner((c) => {
      if (c.argv.includes('list')) return { stdout: CHAIN_JSON };
      const key = c.argv.at(-1);
      if (key === '{ ipv4 . tcp . 8080 }') return { stdout: `{ ipv4 . tcp . 8080 : jump ${dnat} }` };
      if (key === '{ 10.99.0.1 . udp . 5353 }') return { stdout: '{ 10.99.0.1 . udp . 5353 : jump dn-newer }' };
      if (key === '{ 10.99.0.2 }') return { stdout: `{ 10.99.0.2 : jump ${snat} }` };
      return {};
    });
    const udp = await new NftablesForwarder(runner).remove(att);
    expect(udp).toEqual([{ family: 4, port: 5353 }]);
    const writes = runner.calls.filter(isWrite);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.input!.trim().split('\n')).toEqual([
      `delete element inet ${TABLE} hostports { ipv4 . tcp . 8080 }`,
      `delete element inet ${TABLE} masq4 { 10.99.0.2 }`,
      `add chain inet ${TABLE} ${dnat}`,
      `flush chain inet ${TABLE} ${dnat}`,
      `delete chain inet ${TABLE} ${dnat}`,
      `add chain inet ${TABLE} ${snat}`,
      `flush chain inet ${TABLE} ${snat}`,
      `delete chain inet ${TABLE} ${snat}`,
    ]);
  });

  it('DEL of an attachment with no chain changes nothing', async () => {
    const runner = new RecordingRunner(() => ({ code: 1, stderr: 'Error: No such file or directory' }));
    expect(await new NftablesForwarder(runner).remove(att)).toEqual([]);
    expect(runner.calls.filter(isWrite)).toHaveLength(0);
  });

  it('CHECK names a missing DNAT rule and a port taken by another chain', async () => {
    const runner = new RecordingRunner((c) => {
      if (c.argv.includes('list')) return { stdout: CHAIN_JSON.replace('"port":53', '"port":54') };
      const owner: Record<string, string> = { '{ ipv4 . tcp . 8080 }': 'dn-other', '{ 10.99.0.2 }': snat };
      return { stdout: `{ ... : jump ${owner[c.argv.at(-1)!] ?? dnat} }` };
    });
    await expect(new NftablesForwarder(runner).check({ att, conf, targets })).rejects.toThrow(
      /no DNAT of udp\/5353 to 10\.99\.0\.2:53.*map hostports does not send \{ ipv4 \. tcp \. 8080 \} to dn-\w+ \(it goes to dn-other\)/,
    );
  });
});

describe('rules of the reference plugin\'s nftables backend', () => {
  it('DEL deletes, by handle, the rules commented with the container ID, nothing else', async () => {
    const dnatRule = (handle: number, comment: string, port: number) => ({
      rule: { family: 'ip', table: 'cni_hostport', chain: 'hostports', handle, comment, expr: [
        { match: { op: '==', left: { payload: { protocol: 'udp', field: 'dport' } }, right: port } },
        { dnat: { addr: '10.99.0.2', port: 53 } },
      ] },
    });
    const masqRule = { rule: { family: 'ip', table: 'cni_hostport', chain: 'masquerading', handle: 9, comment: 'c1', expr: [{ masquerade: null }] } };
    const listing = JSON.stringify({ nftables: [dnatRule(7, 'c1', 5353), dnatRule(8, 'c2', 5454), masqRule] });
    const runner = new RecordingRunner((c) => {
      const argv = c.argv.join(' ');
      if (argv === 'nft list tables') return { stdout: 'table ip cni_hostport\ntable ip filter\n' };
      if (argv === 'nft -j list table ip cni_hostport') return { stdout: listing };
      if (argv === 'nft -f -') return {};
      return { code: 1, stderr: 'Error: No such file or directory' };
    });
    expect(await new NftablesForwarder(runner).remove(att)).toEqual([{ family: 4, port: 5353 }]);
    expect(runner.calls.filter(isWrite).map((c) => c.input!.trim())).toEqual([
      'delete rule ip cni_hostport hostports handle 7\ndelete rule ip cni_hostport masquerading handle 9',
    ]);
    expect(runner.calls.some((c) => c.argv.includes('ip6'))).toBe(false);
  });
});
