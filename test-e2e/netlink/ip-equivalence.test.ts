import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { BUN, type ProcessOutput } from '../lib/exec.ts';

// The executables carry out their `ip -batch` work over rtnetlink (packages/linux/src/netlink).
// Each case runs the same batch twice, in twin namespaces: once through real iproute2, once
// through our netlink code under Bun; the kernel state, the output and the errors must be the same.

const APPLY = join(dirname(fileURLToPath(import.meta.url)), 'apply-batch.ts');

let fx: NetnsFixture;
afterEach(() => fx?.cleanup());

/** One side of a twin: a "host" namespace and a "pod" namespace for veth peers. */
interface Side {
  host: string;
  pod: string;
}

function twins(): { ip: Side; ours: Side } {
  fx = new NetnsFixture('nl');
  const side = (label: string): Side => ({ host: fx.create(`${label}h`), pod: fx.create(`${label}p`) });
  return { ip: side('ip'), ours: side('nl') };
}

const viaIp = (netns: string, batch: string, options: string[] = []): ProcessOutput => {
  const r = spawnSync('ip', ['-n', netns, ...options, '-batch', '-'], { input: batch, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};

const viaNetlink = (netns: string, batch: string, options: string[] = []): ProcessOutput => {
  const r = spawnSync(BUN, [APPLY, `/run/netns/${netns}`, ...options], { input: batch, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`apply-batch failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ProcessOutput;
};

/** Batch text for one side: {pod} stands for the side's pod namespace path. */
const forSide = (batch: string, side: Side): string => batch.replaceAll('{pod}', `/run/netns/${side.pod}`);

/** A link as `ip -d -json` prints it, without what differs between any two namespaces. */
function linkFacts(l: Record<string, any>): object {
  return {
    ifname: l.ifname,
    flags: (l.flags as string[]).filter((f) => f !== 'LOWER_UP' && f !== 'NO-CARRIER'),
    mtu: l.mtu,
    master: l.master,
    address: l.address,
    promiscuity: l.promiscuity,
    kind: l.linkinfo?.info_kind,
    vlanFiltering: l.linkinfo?.info_data?.vlan_filtering,
  };
}

/** What the kernel holds in a namespace, without what differs between any two namespaces (counters, timers, ids). */
function state(fixture: NetnsFixture, netns: string): unknown {
  const json = (argv: string[]): Array<Record<string, any>> => JSON.parse(fixture.exec(netns, argv) || '[]');
  const links = json(['ip', '-d', '-json', 'link', 'show']).map((l) => ({
    ...linkFacts(l),
    hairpin: l.linkinfo?.info_slave_data?.hairpin,
    isolated: l.linkinfo?.info_slave_data?.isolated,
  }));
  const addrs = json(['ip', '-json', 'addr', 'show']).flatMap((l) =>
    (l.addr_info as Array<Record<string, any>>)
      .filter((a) => !String(a.local).startsWith('fe80:'))
      .map((a) => ({ dev: l.ifname, family: a.family, local: a.local, prefixlen: a.prefixlen, broadcast: a.broadcast, scope: a.scope, nodad: a.nodad })),
  );
  const routes = ['-4', '-6'].flatMap((f) =>
    json(['ip', f, '-d', '-json', 'route', 'show', 'table', 'all'])
      .filter((r) => !String(r.dst).startsWith('fe80:') && r.type !== 'local' && r.type !== 'multicast' && r.type !== 'broadcast')
      .map((r) => ({ dst: r.dst, gateway: r.gateway, dev: r.dev, protocol: r.protocol, scope: r.scope, metric: r.metric, table: r.table, metrics: r.metrics })),
  );
  return { links, addrs, routes };
}

/** Run `steps` on both sides in order; each step's outcome and, at the end, both namespaces must match. */
function expectSame(steps: Array<{ ns: keyof Side; batch: string; options?: string[] }>): ProcessOutput[] {
  const { ip, ours } = twins();
  const outcomes: ProcessOutput[] = [];
  for (const step of steps) {
    const expected = viaIp(ip[step.ns], forSide(step.batch, ip), step.options);
    const actual = viaNetlink(ours[step.ns], forSide(step.batch, ours), step.options);
    expect(actual.code, `${step.batch}\n${actual.stderr}`).toBe(expected.code);
    expect(actual.stderr).toBe(expected.stderr);
    if (step.options?.includes('-json') && expected.stdout.trim()) {
      expect(normaliseShow(actual.stdout)).toEqual(normaliseShow(expected.stdout));
    }
    outcomes.push(actual);
  }
  for (const ns of ['host', 'pod'] as const) expect(state(fx, ours[ns])).toEqual(state(fx, ip[ns]));
  return outcomes;
}

/** `ip -d -json addr show` reduced to the fields our queries read (ip/query.ts). */
function normaliseShow(stdout: string): unknown {
  return stdout
    .trim()
    .split('\n')
    .flatMap((line) => JSON.parse(line) as Array<Record<string, any>>)
    .map((l) => ({
      ...linkFacts(l),
      linkIndexSet: l.link_index !== undefined,
      addrs: (l.addr_info as Array<Record<string, any>>)
        .filter((a) => !String(a.local).startsWith('fe80:'))
        .map((a) => ({ family: a.family, local: a.local, prefixlen: a.prefixlen, scope: a.scope })),
    }));
}

const HOST_SETUP = `link add name br0 address 02:00:00:00:00:01 mtu 1400 type bridge
link set dev br0 promisc on
link set dev br0 up
addr replace 10.50.0.1/24 dev br0
addr replace fd00:50::1/64 dev br0 nodad
link add veth0 address 02:00:00:00:00:02 mtu 1400 type veth peer name eth0 address 02:00:00:00:00:03 mtu 1400 netns {pod}
link set dev veth0 master br0 up
link set dev veth0 type bridge_slave hairpin on isolated on
`;

describe('ip batches over rtnetlink match iproute2', () => {
  it('a bridge with addresses, a veth into another namespace, port flags, and `addr show` output', () => {
    expectSame([
      { ns: 'host', batch: `${HOST_SETUP}addr show dev br0\n`, options: ['-d', '-json'] },
      { ns: 'host', batch: 'link set dev br0 address 02:00:00:00:00:09\nlink set dev veth0 type bridge_slave hairpin off\naddr show dev veth0\n', options: ['-d', '-json'] },
      { ns: 'pod', batch: 'addr show dev eth0\n', options: ['-d', '-json'] },
    ]);
  });

  it('container addresses and routes: gateways, on-link, metric, table, scope, mtu, advmss, IPv6; then addr del', () => {
    expectSame([
      { ns: 'host', batch: HOST_SETUP },
      {
        ns: 'pod',
        batch: `addr add 10.50.0.2/24 dev eth0
addr add fd00:50::2/64 dev eth0 nodad
link set dev eth0 up
route add 10.60.0.0/16 via 10.50.0.1 dev eth0 metric 100
route add 10.70.0.0/16 dev eth0
route add 10.71.0.0/16 dev eth0 scope 0
route add 10.80.0.0/16 via 10.50.0.1 dev eth0 table 300 mtu 1300 advmss 1200
route add 10.81.0.0/16 via 10.50.0.1 dev eth0 table 7
route add 0.0.0.0/0 via 10.50.0.1 dev eth0
route add fd00:60::/64 dev eth0 metric 5
route add ::/0 via fd00:50::1 dev eth0
`,
      },
      { ns: 'pod', batch: 'addr del 10.50.0.2/24 dev eth0\n' },
    ]);
  });

  it('deletes a link (the pair goes with it); a second delete fails with iproute2\'s words', () => {
    const outcomes = expectSame([
      { ns: 'host', batch: HOST_SETUP },
      { ns: 'pod', batch: 'link del dev eth0\n' },
      { ns: 'host', batch: 'addr show dev br0\n', options: ['-d', '-json'] },
      { ns: 'pod', batch: 'link del dev eth0\n' },
      { ns: 'host', batch: 'link del dev veth0\n' },
    ]);
    expect(outcomes[3]!.stderr).toMatch(/Cannot find device "eth0"/);
    expect(outcomes[4]!.stderr).toMatch(/Cannot find device "veth0"/);
  });

  it('IPv4 addresses with a broadcast address, as the plugins add them', () => {
    expectSame([
      { ns: 'host', batch: `${HOST_SETUP}addr replace 10.51.0.1/16 dev br0 broadcast 10.51.255.255\n` },
      { ns: 'pod', batch: 'addr add 10.50.0.2/24 dev eth0 broadcast 10.50.0.255\naddr add 10.52.0.2/31 dev eth0\n' },
    ]);
  });

  it("shows a veth's peer in another namespace even when both ends have the same index", () => {
    expectSame([
      { ns: 'host', batch: 'link add veth0 address 02:00:00:00:02:01 type veth peer name eth0 address 02:00:00:00:02:02 netns {pod}\n' },
      { ns: 'pod', batch: 'addr show dev eth0\n', options: ['-d', '-json'] },
    ]);
  });

  it('fails where iproute2 fails, with its words, line number and status', () => {
    const outcomes = expectSame([
      { ns: 'host', batch: 'link add name br0 address 02:00:00:00:01:01 type bridge\nlink add name br0 type bridge\n' },
      { ns: 'host', batch: 'link set dev nope0 up\n' },
      { ns: 'host', batch: 'link add veth1 address 02:00:00:00:01:02 type veth peer name eth1 address 02:00:00:00:01:03\nlink set dev veth1 master nope0 up\nlink set dev veth1 up\n' },
      { ns: 'host', batch: 'addr add 10.1.0.1/24 dev br0\naddr add 10.1.0.1/24 dev br0\n' },
      { ns: 'host', batch: 'addr show dev nope0\n', options: ['-d', '-json'] },
      { ns: 'host', batch: 'link add veth2 type veth peer name eth2 netns /run/netns/no-such-namespace-here\n' },
      { ns: 'pod', batch: 'link set dev lo up\nroute add 10.9.0.0/16 via 10.1.1.1 dev lo\n' },
    ]);
    // The errors the plugins tell apart (ip/batch.ts IpBatchError): EEXIST, and a missing device.
    expect(outcomes[0]!.stderr).toMatch(/File exists/);
    expect(outcomes[1]!.stderr).toMatch(/Cannot find device/);
    expect(outcomes[2]!.stderr).toMatch(/Device does not exist/);
  });

  it('hands anything outside its grammar to the inner runner', () => {
    fx = new NetnsFixture('nl');
    const ns = fx.create('h');
    expect(viaNetlink(ns, 'link add d0 type veth peer name d1\nlink set dev d0 alias x\n')).toMatchObject({ code: 99 });
    expect(viaNetlink(ns, 'addr show dev lo\n')).toMatchObject({ code: 99 }); // show without -d -json
    expect(fx.exec(ns, ['ip', '-json', 'link', 'show'])).not.toContain('"d0"');
  });
});
