import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addresses, DataDir, GO, hl, hlAsync, hlConfig, OURS } from './lib.ts';

let data: DataDir;
beforeEach(() => (data = new DataDir()));
afterEach(() => data.cleanup());

// cniVersion 1.0.0: the Debian reference plugins (1.1.1) predate 1.1.0.
const conf = (): Record<string, unknown> => ({
  ...hlConfig(data.path, { ranges: [[{ subnet: '10.80.0.0/24' }], [{ subnet: 'fd80::/64' }]] }),
  cniVersion: '1.0.0',
});
const add = (bin: string, cid: string) => hl(bin, { command: 'ADD', containerId: cid, config: conf() });
const del = (bin: string, cid: string) => hl(bin, { command: 'DEL', containerId: cid, config: conf() });

describe('host-local: ours and the Go reference on one data dir', () => {
  it('Go allocates, ours sees the reservation (duplicate ADD, CHECK) and releases it', () => {
    const go = add(GO, 'pod1');
    expect(addresses(go)).toEqual(['10.80.0.2/24', 'fd80::2/64']);
    const dup = add(OURS, 'pod1');
    expect(dup.json?.msg).toContain('duplicate allocation is not allowed');
    expect(hl(OURS, { command: 'CHECK', containerId: 'pod1', config: { ...conf(), prevResult: go.json } }).code).toBe(0);
    // Round-robin continues from Go's last_reserved_ip.
    expect(addresses(add(OURS, 'pod2'))).toEqual(['10.80.0.3/24', 'fd80::3/64']);
    expect(del(OURS, 'pod1').code).toBe(0);
    expect(Object.keys(data.reservations('hlnet')).sort()).toEqual(['10.80.0.3', 'fd80::3']);
  });

  it('ours allocates, Go sees the reservation and its DEL releases it', () => {
    expect(addresses(add(OURS, 'pod1'))).toEqual(['10.80.0.2/24', 'fd80::2/64']);
    expect(add(GO, 'pod1').json?.msg).toContain('duplicate allocation is not allowed');
    expect(hl(GO, { command: 'CHECK', containerId: 'pod1', config: conf() }).code).toBe(0);
    expect(addresses(add(GO, 'pod2'))).toEqual(['10.80.0.3/24', 'fd80::3/64']);
    expect(del(GO, 'pod1').code).toBe(0);
    expect(Object.keys(data.reservations('hlnet')).sort()).toEqual(['10.80.0.3', 'fd80::3']);
    // Ours notices Go's changes (index rebuilt) and releases Go's pod too.
    expect(del(OURS, 'pod2').code).toBe(0);
    expect(data.reservations('hlnet')).toEqual({});
  });

  it('switching binaries under running pods, back and forth, never hands out an address twice', () => {
    const owner = new Map<string, string>(); // ip -> pod
    const record = (pod: string, out: ReturnType<typeof add>): void => {
      expect(out.code, out.stdout).toBe(0);
      for (const a of addresses(out)) {
        expect(owner.has(a), `${a} handed out twice`).toBe(false);
        owner.set(a, pod);
      }
    };
    const phases: [string, string][] = [
      [GO, 'go-a'],
      [OURS, 'ours-a'],
      [GO, 'go-b'],
      [OURS, 'ours-b'],
    ];
    for (const [bin, prefix] of phases) for (let i = 0; i < 8; i++) record(`${prefix}${i}`, add(bin, `${prefix}${i}`));
    // Each binary deletes pods the other one created, then the rest.
    for (let i = 0; i < 8; i++) expect(del(OURS, `go-a${i}`).code).toBe(0);
    for (let i = 0; i < 8; i++) expect(del(GO, `ours-a${i}`).code).toBe(0);
    expect(Object.values(data.reservations('hlnet')).every((o) => /^(go-b|ours-b)\d\r\neth0$/.test(o))).toBe(true);
    for (let i = 0; i < 8; i++) expect(del(GO, `ours-b${i}`).code).toBe(0);
    for (let i = 0; i < 8; i++) expect(del(OURS, `go-b${i}`).code).toBe(0);
    expect(data.reservations('hlnet')).toEqual({});
  });

  it('ours and Go racing on one network exclude each other through the same flock', async () => {
    const runs = Array.from({ length: 40 }, (_, i) => hlAsync(i % 2 ? GO : OURS, { command: 'ADD', containerId: `mix${i}`, config: conf() }));
    const outs = await Promise.all(runs.map((r) => r.done));
    expect(outs.filter((o) => o.code !== 0).map((o) => o.stdout)).toEqual([]);
    const all = outs.flatMap(addresses);
    expect(all).toHaveLength(80);
    expect(new Set(all).size).toBe(80);
    expect(Object.keys(data.reservations('hlnet'))).toHaveLength(80);
    // Each pod is deleted by the other binary.
    for (let i = 0; i < 40; i++) expect(del(i % 2 ? OURS : GO, `mix${i}`).code).toBe(0);
    expect(data.reservations('hlnet')).toEqual({});
  });
});
