import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDir, hl, hlConfig, OURS } from './lib.ts';

let data: DataDir;
beforeEach(() => (data = new DataDir()));
afterEach(() => data.cleanup());

/** One CNI error JSON on stdout, nothing else, no stack trace, non-zero exit. */
function expectCniError(out: ReturnType<typeof hl>, code: number, text: string): void {
  expect(out.code).not.toBe(0);
  expect(Object.keys(out.json ?? {}).sort()).toEqual(['cniVersion', 'code', 'msg']);
  expect(out.json).toMatchObject({ code });
  expect(out.json?.msg).toContain(text);
  expect(out.stdout.trim().split('\n')).toHaveLength(1);
  expect(out.stdout).not.toMatch(/\n\s+at /);
}

describe('dist/bin/host-local refuses bad input', () => {
  it.each([
    ['overlapping range sets', { ranges: [[{ subnet: '10.50.0.0/16' }], [{ subnet: '10.50.1.0/24' }]] }, 'range set 1 (10.50.1.0/24) overlaps range set 0'],
    ['host bits set', { ranges: [[{ subnet: '10.50.0.1/24' }]] }, 'ipam.ranges[0][0].subnet: 10.50.0.1/24 has host bits set'],
    ['/31', { ranges: [[{ subnet: '10.50.0.0/31' }]] }, 'ipam.ranges[0][0].subnet: 10.50.0.0/31 is too small'],
    ['/32', { subnet: '10.50.0.0/32' }, 'ipam.subnet: 10.50.0.0/32 is too small'],
    ['/127', { ranges: [[{ subnet: 'fd50::/127' }]] }, 'ipam.ranges[0][0].subnet: fd50::/127 is too small'],
    ['/128', { ranges: [[{ subnet: 'fd50::/128' }]] }, 'too small'],
    ['gateway outside the subnet', { ranges: [[{ subnet: '10.50.0.0/24', gateway: '10.51.0.1' }]] }, 'ipam.ranges[0][0].gateway: 10.51.0.1 is not in subnet 10.50.0.0/24'],
    ['rangeStart after rangeEnd', { ranges: [[{ subnet: '10.50.0.0/24', rangeStart: '10.50.0.9', rangeEnd: '10.50.0.3' }]] }, 'ipam.ranges[0][0]: rangeStart 10.50.0.9 is after rangeEnd 10.50.0.3'],
    ['mixed families in a set', { ranges: [[{ subnet: '10.50.0.0/24' }, { subnet: 'fd50::/64' }]] }, 'ipam.ranges[0][1].subnet: mixed address families'],
    ['no ranges', {}, 'ipam.ranges: no IP ranges specified'],
    ['a subnet that is not a CIDR', { ranges: [[{ subnet: '10.50.0.0' }]] }, 'ipam.ranges[0][0].subnet: "10.50.0.0" is not a CIDR'],
    ['a route without a CIDR', { subnet: '10.50.0.0/24', routes: [{ dst: '10.0.0.1' }] }, 'ipam.routes[0].dst'],
  ])('%s: code 7 naming the field, nothing written', (_what, ipam, text) => {
    const out = hl(OURS, { command: 'ADD', config: hlConfig(data.path, ipam) });
    expectCniError(out, 7, text);
    expect(readdirSync(data.path)).toEqual([]);
  });

  it('a missing ipam section on ADD: code 7', () => {
    expectCniError(hl(OURS, { command: 'ADD', config: { cniVersion: '1.0.0', name: 'n', type: 'host-local' } }), 7, 'ipam: missing');
  });

  it('stdin that is not JSON: code 6', () => {
    const out = hl(OURS, { command: 'ADD', config: 'x' });
    // runPlugin JSON-encodes the config: a JSON string is valid JSON but not an object
    expectCniError(out, 6, 'must be a JSON object');
  });

  it('a malformed CNI_ARGS IP: code 4 naming it; a requested IP outside every range: code 7', () => {
    const conf = hlConfig(data.path, { subnet: '10.50.0.0/24' });
    expectCniError(hl(OURS, { command: 'ADD', config: conf, cniArgs: 'IP=10.50.0.999' }), 4, 'CNI_ARGS IP: "10.50.0.999" is not an IP address');
    expectCniError(hl(OURS, { command: 'ADD', config: conf, cniArgs: 'IP=10.60.0.5' }), 7, 'failed to allocate all requested IPs: 10.60.0.5');
    expect(readdirSync(data.path)).toEqual([]);
  });

  it('an unreadable resolvConf: code 7 naming ipam.resolvConf', () => {
    const conf = hlConfig(data.path, { subnet: '10.50.0.0/24', resolvConf: join(data.path, 'missing.conf') });
    expectCniError(hl(OURS, { command: 'ADD', config: conf }), 7, 'ipam.resolvConf: cannot read');
  });

  it('exhaustion names the range set and how many are used; nothing half-made', () => {
    const conf = hlConfig(data.path, { ranges: [[{ subnet: '10.50.0.0/30' }], [{ subnet: 'fd50::/64' }]] });
    expect(hl(OURS, { command: 'ADD', containerId: 'a', config: conf }).code).toBe(0);
    const out = hl(OURS, { command: 'ADD', containerId: 'b', config: conf });
    expectCniError(out, 999, 'failed to allocate for range 0: no IP addresses available in range set 10.50.0.0/30: all 1 of 1 addresses are reserved');
    expect(Object.keys(data.reservations('hlnet')).sort()).toEqual(['10.50.0.2', 'fd50::2']);
  });

  it('an empty reservation file does not eat the address (plugins#498)', () => {
    mkdirSync(join(data.path, 'hlnet'));
    writeFileSync(join(data.path, 'hlnet', '10.50.0.2'), '');
    const out = hl(OURS, { command: 'ADD', config: hlConfig(data.path, { ranges: [[{ subnet: '10.50.0.0/30' }]] }) });
    expect(out.json?.ips).toEqual([{ address: '10.50.0.2/30', gateway: '10.50.0.1' }]);
    expect(existsSync(join(data.path, 'hlnet', '10.50.0.2'))).toBe(true);
  });
});
