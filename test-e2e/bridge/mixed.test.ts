import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeLab, DUAL, GO, OURS, resultIps, V4 } from './lab.ts';

let lab: BridgeLab;
afterEach(() => lab?.cleanup());

const chain = (cid: string) => `CNI-${createHash('sha512').update(`e2enet${cid}`).digest('hex').slice(0, 24)}`;

describe('chains mixed with the reference Go plugins (/usr/lib/cni)', () => {
  it('our bridge + Go host-local: pods get addresses, ping, and DEL releases them', () => {
    lab = new BridgeLab({ bridge: OURS.bridge, hostLocal: GO.hostLocal });
    const conf = lab.conf('1.0.0', DUAL, { isGateway: true, ipMasq: true });
    const p1 = lab.pod('p1');
    const p2 = lab.pod('p2');
    const r1 = lab.add(conf, { containerId: 'c1', netns: p1 });
    const r2 = lab.add(conf, { containerId: 'c2', netns: p2 });
    for (const ip of resultIps(r2)) expect(lab.ping(p1, ip), ip).toBe(true);
    expect(lab.reserved().sort()).toEqual(['10.88.0.2', '10.88.0.3', 'fd88::2', 'fd88::3']);
    expect(lab.run('CHECK', { ...conf, prevResult: r1 }, { containerId: 'c1', netns: p1 }).code).toBe(0);
    expect(lab.run('DEL', conf, { containerId: 'c1', netns: p1 }).code).toBe(0);
    expect(lab.run('DEL', conf, { containerId: 'c2', netns: p2 }).code).toBe(0);
    expect(lab.reserved()).toEqual([]);
  });

  it('Go bridge + our host-local: pods get addresses and ping; DEL releases them', () => {
    lab = new BridgeLab({ bridge: GO.bridge, hostLocal: OURS.hostLocal });
    const conf = lab.conf('1.0.0', V4, { isGateway: true });
    const p1 = lab.pod('p1');
    const p2 = lab.pod('p2');
    lab.add(conf, { containerId: 'c1', netns: p1 });
    const r2 = lab.add(conf, { containerId: 'c2', netns: p2 });
    for (const ip of resultIps(r2)) expect(lab.ping(p1, ip), ip).toBe(true);
    expect(lab.reserved().sort()).toEqual(['10.88.0.2', '10.88.0.3']);
    expect(lab.run('DEL', conf, { containerId: 'c1', netns: p1 }).code).toBe(0);
    expect(lab.run('DEL', conf, { containerId: 'c2', netns: p2 }).code).toBe(0);
    expect(lab.reserved()).toEqual([]);
  });

  it('switching binaries under running pods: each DELs what the other ADDed, masquerade rules included', () => {
    lab = new BridgeLab(OURS);
    const conf = lab.conf('1.0.0', V4, { isGateway: true, ipMasq: true });
    const pGo = lab.pod('pgo');
    const pOurs = lab.pod('pours');
    // The Go plugins set up the first pod, ours the second, on the same bridge and data dir.
    lab.add(conf, { containerId: 'go1', netns: pGo, bridge: GO.bridge });
    const rOurs = lab.add(conf, { containerId: 'ours1', netns: pOurs });
    expect(lab.natRules()).toContain(`:${chain('go1')} - [0:0]`);
    expect(lab.natRules()).toContain(`:${chain('ours1')} - [0:0]`);
    for (const ip of resultIps(rOurs)) expect(lab.ping(pGo, ip), ip).toBe(true);

    // Ours removes Go's pod (with its netns already gone: found by chain name, not by address).
    expect(lab.run('DEL', conf, { containerId: 'go1', netns: '' }).code).toBe(0);
    expect(lab.natRules()).not.toContain(chain('go1'));
    // Go's bridge removes ours.
    const goDel = lab.run('DEL', conf, { containerId: 'ours1', netns: pOurs, bridge: GO.bridge });
    expect(goDel.code, goDel.stdout).toBe(0);
    expect(lab.natRules()).not.toContain(chain('ours1'));
    expect(lab.reserved()).toEqual([]);
  });
});
