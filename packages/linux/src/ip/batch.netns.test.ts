import { afterEach, describe, expect, it } from 'vitest';
import { NetnsFixture } from '../testing/netns.ts';
import { SpawnRunner } from '../run.ts';
import { writeSysctlsIn } from '../sysctl.ts';
import { IpBatch, IpBatchError, runIpBatch } from './batch.ts';
import { showLink, showLinks, showRoutes } from './query.ts';

// Real iproute2 in throwaway namespaces: what the batch builder writes, ip accepts, and what
// ip prints, the query parser reads.
let fx: NetnsFixture;
afterEach(() => fx?.cleanup());

describe('ip batches and queries in real namespaces', () => {
  it('creates a bridge and a veth whose peer lands in another namespace given by path; reads them back', async () => {
    fx = new NetnsFixture('ip');
    const host = fx.path(fx.create('host'));
    const pod = fx.path(fx.create('pod'));
    const runner = new SpawnRunner();
    const b = new IpBatch()
      .add('link', 'add', 'name', 'br0', 'address', '02:00:00:00:00:01', 'type', 'bridge')
      .add('link', 'set', 'dev', 'br0', 'up')
      .add('addr', 'replace', '10.50.0.1/24', 'dev', 'br0')
      .add('link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'eth0', 'address', '02:00:00:00:00:02', 'netns', pod)
      .add('link', 'set', 'dev', 'veth0', 'master', 'br0', 'up')
      .add('addr', 'show', 'dev', 'br0');
    const out = await runIpBatch(runner, host, b, ['-d', '-json']);
    expect(JSON.parse(out)[0].ifname).toBe('br0');

    const br = await showLink(runner, host, 'br0');
    expect(br).toMatchObject({ kind: 'bridge', mac: '02:00:00:00:00:01' });
    expect(br!.addrs).toContainEqual({ family: 4, local: '10.50.0.1', prefixlen: 24, scope: 'global' });
    const veth = (await showLinks(runner, host)).find((l) => l.name === 'veth0')!;
    expect(veth).toMatchObject({ kind: 'veth', master: 'br0' });
    const eth0 = await showLink(runner, pod, 'eth0');
    expect(eth0).toMatchObject({ kind: 'veth', mac: '02:00:00:00:00:02', linkIndex: veth.ifindex });
    expect(await showLink(runner, host, 'nope0')).toBeUndefined();

    await runIpBatch(runner, pod, new IpBatch().add('addr', 'add', '10.50.0.2/24', 'dev', 'eth0').add('link', 'set', 'dev', 'eth0', 'up').add('route', 'add', '0.0.0.0/0', 'via', '10.50.0.1', 'dev', 'eth0'));
    expect((await showRoutes(runner, pod, 4)).find((r) => r.dst === 'default')).toMatchObject({ gateway: '10.50.0.1', dev: 'eth0' });
  });

  it('reports which line failed, and EEXIST as such', async () => {
    fx = new NetnsFixture('ip');
    const host = fx.path(fx.create('host'));
    const b = new IpBatch().add('link', 'add', 'name', 'br0', 'type', 'bridge').add('link', 'add', 'name', 'br0', 'type', 'bridge');
    const err = await runIpBatch(new SpawnRunner(), host, b).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IpBatchError);
    expect(err).toMatchObject({ line: 1, exists: true });
  });

  it('writes sysctls of another namespace (nsenter under Node), skipping unknown keys', async () => {
    fx = new NetnsFixture('ip');
    const pod = fx.create('pod');
    await writeSysctlsIn(new SpawnRunner(), fx.path(pod), { 'net/ipv4/conf/lo/arp_notify': '1', 'net/ipv6/conf/nope0/accept_dad': '0' });
    expect(fx.exec(pod, ['cat', '/proc/sys/net/ipv4/conf/lo/arp_notify']).trim()).toBe('1');
  });
});
