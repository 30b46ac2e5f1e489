import { describe, expect, it } from 'vitest';
import { CniError, ErrorCode } from '../spec/errors.ts';
import { convertResult, parsePrintedResult, parseResult } from './convert.ts';
import { FROM_020, FROM_04, FULL } from './convert.fixtures.ts';
import { SUPPORTED_VERSIONS } from './versions.ts';

const family = (v: string): '020' | '04' | '1x' => (v < '0.3.0' ? '020' : v < '1.0.0' ? '04' : '1x');

/** What a result written at `from` looks like once read and printed at `to`. */
function expected(from: string, to: string): Record<string, unknown> {
  if (family(from) === '04' && family(to) === '1x') return FROM_04[to]!;
  if (family(from) === '020' && family(to) !== '020') return FROM_020[to]!;
  return FULL[to]!;
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CniError ? err.code : -1;
  }
  return undefined;
}

describe('result conversion, every pair of versions', () => {
  for (const from of SUPPORTED_VERSIONS) {
    for (const to of SUPPORTED_VERSIONS) {
      it(`${from} -> ${to}`, () => {
        const hub = parseResult(FULL[from], from);
        expect(hub.cniVersion).toBe('1.1.0');
        expect(convertResult(hub, to)).toEqual(expected(from, to));
      });
    }
  }

  it('prints cniVersion first', () => {
    expect(Object.keys(convertResult(parseResult(FULL['1.1.0'], '1.1.0'), '1.0.0'))[0]).toBe('cniVersion');
  });
});

describe('convertResult', () => {
  const l2only = { cniVersion: '1.1.0', interfaces: [{ name: 'eth0', sandbox: '/run/netns/x' }] };

  it('refuses an L2-only result at 0.2.0 and 0.1.0 (the spec cannot express it)', () => {
    for (const v of ['0.2.0', '0.1.0']) {
      expect(() => convertResult(l2only, v)).toThrowError(/no valid IP addresses/);
      expect(codeOf(() => convertResult(l2only, v))).toBe(ErrorCode.IncompatibleVersion);
    }
  });

  it('prints an L2-only result at 0.3.0 and later', () => {
    expect(convertResult(l2only, '0.3.0')).toEqual({ cniVersion: '0.3.0', interfaces: [{ name: 'eth0', sandbox: '/run/netns/x' }] });
    expect(convertResult(l2only, '1.0.0')).toEqual({ ...l2only, cniVersion: '1.0.0' });
  });

  it('keeps a single family at 0.2.0 and leaves out empty dns and routes', () => {
    const v6only = { cniVersion: '1.1.0', ips: [{ address: 'fd00::2/64' }], routes: [{ dst: '10.0.0.0/8' }], dns: {} };
    expect(convertResult(v6only, '0.2.0')).toEqual({ cniVersion: '0.2.0', ip6: { ip: 'fd00::2/64' } });
  });

  it('refuses a version it does not know', () => {
    expect(codeOf(() => convertResult(l2only, '2.0.0'))).toBe(ErrorCode.IncompatibleVersion);
  });
});

describe('parseResult', () => {
  it('keeps fields it does not know, so a chained result passes through', () => {
    const r = parseResult({ cniVersion: '1.1.0', ips: [{ address: '10.0.0.2/24', future: 1 }], extra: true }, '1.1.0');
    expect(r.ips).toEqual([{ address: '10.0.0.2/24', future: 1 }]);
  });

  it('reads an empty object as an empty result', () => {
    expect(parseResult({}, '1.0.0')).toEqual({ cniVersion: '1.1.0' });
    expect(parseResult({}, '0.2.0')).toEqual({ cniVersion: '1.1.0', ips: [], routes: [] });
  });

  const bad: Array<[string, unknown, string, RegExp]> = [
    ['not an object', [], '1.0.0', /result must be a JSON object/],
    ['null', null, '1.0.0', /result must be a JSON object/],
    ['interfaces not a list', { interfaces: {} }, '1.0.0', /result.interfaces must be a list/],
    ['interface not an object', { interfaces: [1] }, '1.0.0', /result.interfaces\[0\] must be a JSON object/],
    ['interface without name', { interfaces: [{}] }, '1.0.0', /result.interfaces\[0\].name must be a string/],
    ['ips not a list', { ips: 'x' }, '0.4.0', /result.ips must be a list/],
    ['ip without address', { ips: [{ version: '4' }] }, '0.4.0', /result.ips\[0\].address: nothing is not an address with a prefix length/],
    ['routes not a list', { routes: 1 }, '1.1.0', /result.routes must be a list/],
    ['route without dst', { routes: [{ gw: '1.2.3.4' }] }, '1.1.0', /result.routes\[0\].dst: nothing is not an address with a prefix length/],
    ['dns not an object', { dns: [] }, '1.1.0', /result.dns must be a JSON object/],
    ['ip4 not an object', { ip4: 'x' }, '0.2.0', /result.ip4 must be a JSON object/],
    ['ip4 without ip', { ip4: {} }, '0.2.0', /result.ip4.ip: nothing is not an address with a prefix length/],
    ['ip6 routes not a list', { ip6: { ip: 'fd00::1/64', routes: {} } }, '0.1.0', /result.ip6.routes must be a list/],
    ['ip4 route without dst', { ip4: { ip: '10.0.0.1/8', routes: [{}] } }, '0.1.0', /result.ip4.routes\[0\].dst: nothing is not an address with a prefix length/],
    ['an address that is not a CIDR', { ips: [{ address: '10.0.0.300/24' }] }, '1.0.0', /result.ips\[0\].address: "10.0.0.300\/24" is not an address with a prefix/],
    ['an address without its prefix', { ips: [{ address: '10.0.0.3' }] }, '1.0.0', /result.ips\[0\].address: "10.0.0.3" is not/],
    ['a gateway that is not an address', { ips: [{ address: '10.0.0.3/24', gateway: 'x\n-A' }] }, '1.1.0', /result.ips\[0\].gateway: "x\\n-A" is not an IP address/],
    ['a route gw that is not an address', { routes: [{ dst: '0.0.0.0/0', gw: 1 }] }, '1.1.0', /result.routes\[0\].gw: 1 is not an IP address/],
    ['a 0.2.0 ip that is not a CIDR', { ip4: { ip: 'nope' } }, '0.2.0', /result.ip4.ip: "nope" is not/],
    ['a cniVersion no plugin speaks', { cniVersion: '9.9.9', ips: [] }, '1.0.0', /result.cniVersion: "9.9.9" is not a CNI version/],
    ['0.2.0 dns not an object', { dns: 'x' }, '0.2.0', /result.dns must be a JSON object/],
  ];
  for (const [what, raw, version, message] of bad) {
    it(`refuses ${what} with a decode error naming the field`, () => {
      expect(() => parseResult(raw, version)).toThrowError(message);
      expect(codeOf(() => parseResult(raw, version))).toBe(ErrorCode.DecodeFailure);
    });
  }

  it('refuses a version it does not know', () => {
    expect(codeOf(() => parseResult({}, '0.5.0'))).toBe(ErrorCode.IncompatibleVersion);
  });
});

describe('parsePrintedResult', () => {
  it("reads the result at its own cniVersion", () => {
    expect(parsePrintedResult(FULL['0.2.0'], '1.1.0', 'delegate "x"')).toEqual(FROM_020['1.1.0']);
  });

  it("reads a result without cniVersion at the config's version", () => {
    const { cniVersion: _v, ...bare } = FULL['0.4.0']!;
    expect(parsePrintedResult(bare, '0.4.0', 'delegate "x"')).toEqual(FROM_04['1.1.0']);
    expect(parsePrintedResult({ ...bare, cniVersion: '' }, '0.4.0', 'delegate "x"')).toEqual(FROM_04['1.1.0']);
  });

  it('refuses a result of an unsupported or non-string cniVersion, naming who printed it', () => {
    expect(() => parsePrintedResult({ cniVersion: '9.9.9' }, '1.1.0', 'delegate "x"')).toThrowError('delegate "x" printed a result with unsupported cniVersion "9.9.9"');
    expect(codeOf(() => parsePrintedResult({ cniVersion: 1 }, '1.1.0', 'delegate "x"'))).toBe(ErrorCode.IncompatibleVersion);
    expect(codeOf(() => parsePrintedResult('x', '1.1.0', 'delegate "x"'))).toBe(ErrorCode.DecodeFailure);
  });
});
