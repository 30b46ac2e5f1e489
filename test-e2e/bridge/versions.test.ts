import { afterEach, describe, expect, it } from 'vitest';
import { BridgeLab, DUAL, resultIps, V4, V6 } from './lab.ts';

let lab: BridgeLab;
afterEach(() => lab?.cleanup());

const VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'];

describe('bridge + host-local as executables in a node namespace, every cniVersion', () => {
  for (const version of VERSIONS) {
    for (const [family, ranges] of [['IPv4', V4], ['IPv6', V6], ['dual stack', DUAL]] as const) {
      it(`${version} ${family}: two pods ping each other and the gateway; CHECK passes; DEL cleans up`, () => {
        lab = new BridgeLab();
        const conf = lab.conf(version, ranges, { isGateway: true });
        const p1 = lab.pod('p1');
        const p2 = lab.pod('p2');
        const r1 = lab.add(conf, { containerId: 'c1', netns: p1 });
        const r2 = lab.add(conf, { containerId: 'c2', netns: p2 });

        expect(r1.cniVersion).toBe(version);
        const ifaces = r1.interfaces as Array<{ name: string; mac: string; sandbox?: string }>;
        expect(ifaces.map((i) => i.name)).toEqual([lab.bridgeName, expect.stringMatching(/^veth[0-9a-f]{8}$/), 'eth0']);
        expect(ifaces.every((i) => /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(i.mac))).toBe(true);
        expect(ifaces[2]!.sandbox).toBe(p1);
        const ips = r1.ips as Array<{ interface: number; gateway: string; version?: string }>;
        expect(ips).toHaveLength(ranges.length);
        expect(ips.every((i) => i.interface === 2)).toBe(true);
        if (version.startsWith('0.')) expect(ips.every((i) => i.version === '4' || i.version === '6')).toBe(true);
        else expect(ips.every((i) => i.version === undefined)).toBe(true);

        // The container end really carries the reported MAC and addresses.
        const eth0 = JSON.parse(lab.inPod(p1, ['ip', '-j', 'addr', 'show', 'dev', 'eth0']))[0];
        expect(eth0.address).toBe(ifaces[2]!.mac);
        for (const ip of resultIps(r1)) expect(eth0.addr_info.map((a: { local: string }) => a.local)).toContain(ip);

        const peerIps = resultIps(r2);
        for (const ip of peerIps) expect(lab.ping(p1, ip), `ping ${ip}`).toBe(true);
        for (const ip of ips) expect(lab.ping(p2, ip.gateway), `ping gateway ${ip.gateway}`).toBe(true);

        if (version !== '0.3.0' && version !== '0.3.1') {
          const check = lab.run('CHECK', { ...conf, prevResult: r1 }, { containerId: 'c1', netns: p1 });
          expect(check.code, check.stdout).toBe(0);
        }

        const prev = version.startsWith('0.3') ? {} : { prevResult: r1 };
        expect(lab.run('DEL', { ...conf, ...prev }, { containerId: 'c1', netns: p1 }).code).toBe(0);
        expect(lab.run('DEL', { ...conf, ...prev }, { containerId: 'c1', netns: p1 }).code).toBe(0); // repeated DEL
        expect(lab.run('DEL', conf, { containerId: 'c2', netns: p2 }).code).toBe(0);
        expect(() => lab.inPod(p1, ['ip', 'link', 'show', 'dev', 'eth0'])).toThrow();
        expect(lab.nodeLinks().filter((l) => l.ifname.startsWith('veth'))).toEqual([]);
        expect(lab.reserved()).toEqual([]);
      });
    }
  }

  for (const version of ['0.1.0', '0.2.0']) {
    it(`${version}: the result has the old ip4/ip6 shape`, () => {
      lab = new BridgeLab();
      const conf = lab.conf(version, DUAL, { isGateway: true });
      const p1 = lab.pod('p1');
      const r = lab.add(conf, { containerId: 'c1', netns: p1 });
      expect(r.ip4).toMatchObject({ ip: '10.88.0.2/24', gateway: '10.88.0.1' });
      expect(r.ip6).toMatchObject({ ip: 'fd88::2/64', gateway: 'fd88::1' });
      expect(r.interfaces).toBeUndefined();
      expect(lab.run('DEL', conf, { containerId: 'c1', netns: p1 }).code).toBe(0);
      expect(lab.reserved()).toEqual([]);
    });
  }
});
