import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addresses, DataDir, hl, hlConfig, OURS } from './lib.ts';

let data: DataDir;
beforeEach(() => (data = new DataDir()));
afterEach(() => data.cleanup());

const conf = (extra: Record<string, unknown> = {}): Record<string, unknown> =>
  hlConfig(data.path, { ranges: [[{ subnet: '10.70.0.0/29' }], [{ subnet: 'fd70::/64' }]] }, extra);

describe('dist/bin/host-local DEL, CHECK, GC, STATUS', () => {
  it('DEL is idempotent, needs no netns, and succeeds with a missing ipam section', () => {
    const add = hl(OURS, { command: 'ADD', config: conf() });
    expect(add.code).toBe(0);
    const del = hl(OURS, { command: 'DEL', config: conf(), netns: '' });
    expect([del.code, del.stdout]).toEqual([0, '']);
    expect(hl(OURS, { command: 'DEL', config: conf(), netns: '' }).code).toBe(0);
    expect(data.reservations('hlnet')).toEqual({});
    const noIpam = hl(OURS, { command: 'DEL', config: { cniVersion: '1.1.0', name: 'cts-hl-unused-net', type: 'host-local' } });
    expect([noIpam.code, noIpam.stdout]).toEqual([0, '']);
  });

  it('CHECK passes for the holder with its prevResult and fails otherwise', () => {
    const add = hl(OURS, { command: 'ADD', config: conf() });
    expect(hl(OURS, { command: 'CHECK', config: conf({ prevResult: add.json }) }).code).toBe(0);
    const other = hl(OURS, { command: 'CHECK', containerId: 'nobody', config: conf({ prevResult: add.json }) });
    expect(other.code).not.toBe(0);
    expect(other.json?.msg).toContain('failed to find an address reserved for container nobody');
    const wrongIf = hl(OURS, { command: 'CHECK', ifName: 'eth9', config: conf({ prevResult: add.json }) });
    expect(wrongIf.code).not.toBe(0);
  });

  it('GC releases what is not in cni.dev/valid-attachments, including ownerless files', () => {
    for (const cid of ['a', 'b', 'c']) expect(hl(OURS, { command: 'ADD', containerId: cid, config: conf() }).code).toBe(0);
    writeFileSync(join(data.path, 'hlnet', '10.70.0.6'), '');
    const gc = hl(OURS, {
      command: 'GC',
      config: conf({ 'cni.dev/valid-attachments': [{ containerID: 'b', ifname: 'eth0' }, { containerID: 'zz', ifname: 'eth0' }] }),
    });
    expect([gc.code, gc.stdout]).toEqual([0, '']);
    expect(data.reservations('hlnet')).toEqual({ '10.70.0.3': 'b\r\neth0', 'fd70::3': 'b\r\neth0' });
    // An empty valid list releases everything.
    expect(hl(OURS, { command: 'GC', config: conf({ 'cni.dev/valid-attachments': [] }) }).code).toBe(0);
    expect(data.reservations('hlnet')).toEqual({});
  });

  it('GC reads the older cni.dev/attachments when it comes alone, and cni.dev/valid-attachments when both do', () => {
    for (const cid of ['a', 'b', 'c']) expect(hl(OURS, { command: 'ADD', containerId: cid, config: conf() }).code).toBe(0);
    const keep = (cid: string) => [{ containerID: cid, ifname: 'eth0' }];
    // A runtime written to the spec's first name for the list sends only that key.
    expect(hl(OURS, { command: 'GC', config: conf({ 'cni.dev/attachments': [...keep('a'), ...keep('b')] }) }).code).toBe(0);
    expect(Object.values(data.reservations('hlnet')).sort()).toEqual(['a\r\neth0', 'a\r\neth0', 'b\r\neth0', 'b\r\neth0']);
    // libcni 1.2.3 and later sends both; cni.dev/valid-attachments wins.
    expect(hl(OURS, { command: 'GC', config: conf({ 'cni.dev/valid-attachments': keep('b'), 'cni.dev/attachments': keep('a') }) }).code).toBe(0);
    expect(data.reservations('hlnet')).toEqual({ '10.70.0.3': 'b\r\neth0', 'fd70::3': 'b\r\neth0' });
  });

  it('STATUS: fine while addresses remain, code 50 when a range set is full, fine again after DEL', () => {
    const small = hlConfig(data.path, { ranges: [[{ subnet: '10.71.0.0/30' }]] });
    expect(hl(OURS, { command: 'STATUS', config: small }).code).toBe(0);
    expect(addresses(hl(OURS, { command: 'ADD', config: small }))).toEqual(['10.71.0.2/30']);
    const full = hl(OURS, { command: 'STATUS', config: small });
    expect(full.json).toMatchObject({ code: 50, msg: 'range set 0 (10.71.0.0/30) has no free address: 1 of 1 reserved' });
    hl(OURS, { command: 'DEL', config: small });
    expect(hl(OURS, { command: 'STATUS', config: small }).code).toBe(0);
  });

  it('GC and STATUS are refused below cniVersion 1.1.0 (code 1)', () => {
    expect(hl(OURS, { command: 'GC', config: { ...conf(), cniVersion: '1.0.0' } }).json).toMatchObject({ code: 1 });
    expect(hl(OURS, { command: 'STATUS', config: { ...conf(), cniVersion: '0.4.0' } }).json).toMatchObject({ code: 1 });
  });
});
