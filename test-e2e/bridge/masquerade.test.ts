import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeLab, DUAL, V4 } from './lab.ts';

let lab: BridgeLab;
afterEach(() => lab?.cleanup());

const chain = (net: string, cid: string) => `CNI-${createHash('sha512').update(net + cid).digest('hex').slice(0, 24)}`;

function nftMasqRules(lab: BridgeLab): Array<{ handle: number; comment?: string }> {
  try {
    const doc = JSON.parse(lab.inNode(['nft', '-j', 'list', 'chain', 'inet', 'cni_plugins_masquerade', 'masq_checks'])) as { nftables: Array<{ rule?: { handle: number; comment?: string } }> };
    return doc.nftables.flatMap((o) => (o.rule ? [o.rule] : []));
  } catch {
    return [];
  }
}

describe('ipMasq with iptables (the reference layout)', () => {
  it('ADD installs CNI-<hash> chains for both families; DEL removes them even when the netns is gone (plugins#810)', () => {
    lab = new BridgeLab();
    const conf = lab.conf('1.0.0', DUAL, { isGateway: true, ipMasq: true });
    const p1 = lab.pod('p1');
    lab.add(conf, { containerId: 'c1', netns: p1 });
    const c = chain('e2enet', 'c1');
    const v4 = lab.natRules(4);
    expect(v4).toContain(`:${c} - [0:0]`);
    expect(v4).toContain(`-A POSTROUTING -s 10.88.0.2/32 -m comment --comment "name: \\"e2enet\\" id: \\"c1\\"" -j ${c}`);
    expect(v4).toContain(`-A ${c} -d 10.88.0.0/24 -m comment --comment "name: \\"e2enet\\" id: \\"c1\\"" -j ACCEPT`);
    expect(v4).toContain(`-A ${c} ! -d 224.0.0.0/4 -m comment --comment "name: \\"e2enet\\" id: \\"c1\\"" -j MASQUERADE`);
    expect(lab.natRules(6)).toContain(`-A POSTROUTING -s fd88::2/128 -m comment --comment "name: \\"e2enet\\" id: \\"c1\\"" -j ${c}`);
    const px = lab.pod('px');
    const rx = lab.add(conf, { containerId: 'cx', netns: px });
    expect(lab.run('CHECK', { ...conf, prevResult: rx }, { containerId: 'cx', netns: px }).code).toBe(0);

    // The pod's namespace disappears before the runtime's DEL.
    execFileSync('ip', ['netns', 'delete', p1.split('/').pop()!]);
    const del = lab.run('DEL', conf, { containerId: 'c1', netns: p1 });
    expect(del.code, del.stdout).toBe(0);
    expect(lab.natRules(4)).not.toContain(c);
    expect(lab.natRules(6)).not.toContain(c);
    expect(lab.reserved()).toEqual(['10.88.0.3', 'fd88::3'].sort());
  });

  it('DEL with CNI_NETNS empty (containerd\'s second DEL) removes the rules and the reservation', () => {
    lab = new BridgeLab();
    const conf = lab.conf('1.1.0', V4, { ipMasq: true });
    const p1 = lab.pod('p1');
    lab.add(conf, { containerId: 'c1', netns: p1 });
    expect(lab.natRules()).toContain(chain('e2enet', 'c1'));
    expect(lab.run('DEL', conf, { containerId: 'c1', netns: '' }).code).toBe(0);
    expect(lab.natRules()).not.toContain(chain('e2enet', 'c1'));
    expect(lab.reserved()).toEqual([]);
  });

  it('CHECK notices a missing masquerade chain', () => {
    lab = new BridgeLab();
    const conf = lab.conf('1.0.0', V4, { ipMasq: true });
    const p1 = lab.pod('p1');
    const r = lab.add(conf, { containerId: 'c1', netns: p1 });
    const c = chain('e2enet', 'c1');
    const jump = lab.natRules().split('\n').find((l) => l.startsWith('-A POSTROUTING') && l.includes(c))!;
    lab.inNode(['iptables-restore', '--noflush'], `*nat\n-D ${jump.slice(3)}\n-F ${c}\n-X ${c}\nCOMMIT\n`);
    const check = lab.run('CHECK', { ...conf, prevResult: r }, { containerId: 'c1', netns: p1 });
    expect(check.code).not.toBe(0);
    expect(check.json?.msg).toMatch(/masquerade/);
  });

  it('GC removes the rules of attachments that are not valid any more', () => {
    lab = new BridgeLab();
    const conf = lab.conf('1.1.0', V4, { ipMasq: true });
    lab.add(conf, { containerId: 'keep', netns: lab.pod('p1') });
    lab.add(conf, { containerId: 'gone', netns: lab.pod('p2') });
    const gc = lab.run('GC', { ...conf, 'cni.dev/valid-attachments': [{ containerID: 'keep', ifname: 'eth0' }] });
    expect(gc.code, gc.stdout).toBe(0);
    expect(lab.natRules()).toContain(chain('e2enet', 'keep'));
    expect(lab.natRules()).not.toContain(chain('e2enet', 'gone'));
  });
});

describe('ipMasq with nftables', () => {
  it('ADD puts one rule per address in inet cni_plugins_masquerade; CHECK sees it; DEL and GC remove by comment', () => {
    lab = new BridgeLab();
    const conf = lab.conf('1.1.0', DUAL, { ipMasq: true, ipMasqBackend: 'nftables' });
    const p1 = lab.pod('p1');
    const r1 = lab.add(conf, { containerId: 'c1', netns: p1 });
    lab.add(conf, { containerId: 'c2', netns: lab.pod('p2') });
    const rules = nftMasqRules(lab);
    expect(rules).toHaveLength(4);
    const table = lab.inNode(['nft', 'list', 'table', 'inet', 'cni_plugins_masquerade']);
    expect(table).toMatch(/ip saddr 10\.88\.0\.2 ip daddr != 10\.88\.0\.0\/24 masquerade comment ".{33}, net: e2enet, if: eth0, id: c1"/);
    expect(table).toMatch(/ip6 saddr fd88::2 ip6 daddr != fd88::\/64 masquerade/);
    expect(table).toContain('type nat hook postrouting priority srcnat');
    expect(lab.natRules()).not.toContain('CNI-');
    expect(lab.run('CHECK', { ...conf, prevResult: r1 }, { containerId: 'c1', netns: p1 }).code).toBe(0);

    expect(lab.run('DEL', conf, { containerId: 'c1', netns: '' }).code).toBe(0);
    expect(nftMasqRules(lab).map((x) => x.comment)).toEqual([expect.stringContaining('id: c2'), expect.stringContaining('id: c2')]);
    expect(lab.run('GC', { ...conf, 'cni.dev/valid-attachments': [] }).code).toBe(0);
    expect(nftMasqRules(lab)).toEqual([]);
  });
});
