import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseCniVersion, loadAll, loadNetwork } from './load.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnictl-conf-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, value: unknown): void => writeFileSync(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value));
const list = (name: string, extra: Record<string, unknown> = {}) => ({ cniVersion: '1.0.0', name, plugins: [{ type: 'bridge' }], ...extra });

describe('loadNetwork', () => {
  it('finds the list by its name, not by its file name', () => {
    write('10-a.conflist', list('alpha'));
    write('20-b.conflist', list('beta', { plugins: [{ type: 'bridge' }, { type: 'portmap' }] }));
    const net = loadNetwork(dir, 'beta');
    expect(net.file).toBe(join(dir, '20-b.conflist'));
    expect(net.plugins.map((p) => p.type)).toEqual(['bridge', 'portmap']);
    expect(net.bytes.toString()).toBe(JSON.stringify(list('beta', { plugins: [{ type: 'bridge' }, { type: 'portmap' }] })));
  });

  it('prefers a .conflist over a .conf of the same name, and the first file in name order', () => {
    write('00-single.conf', { cniVersion: '1.0.0', name: 'n', type: 'from-conf' });
    write('30-late.conflist', list('n', { plugins: [{ type: 'late' }] }));
    write('20-early.conflist', list('n', { plugins: [{ type: 'early' }] }));
    expect(loadNetwork(dir, 'n').plugins[0]!.type).toBe('early');
  });

  it('up-converts a single-plugin .conf or .json file to a list of one', () => {
    write('10-one.json', { cniVersion: '0.3.1', name: 'one', type: 'bridge', bridge: 'br9' });
    const net = loadNetwork(dir, 'one');
    expect(net.cniVersion).toBe('0.3.1');
    expect(net.plugins).toEqual([{ cniVersion: '0.3.1', name: 'one', type: 'bridge', bridge: 'br9' }]);
    expect(JSON.parse(net.bytes.toString())).toEqual({ cniVersion: '0.3.1', name: 'one', plugins: [{ cniVersion: '0.3.1', name: 'one', type: 'bridge', bridge: 'br9' }] });
  });

  it('runs the list at the version chooseCniVersion picks, and names the file when there is none', () => {
    write('a.conflist', list('a', { cniVersion: '0.4.0', cniVersions: ['1.0.0', '1.1.0', '9.9.9'] }));
    write('b.conflist', { name: 'b', plugins: [{ type: 'x' }] });
    write('c.conflist', list('c', { cniVersion: '7.0.0' }));
    expect(loadNetwork(dir, 'a').cniVersion).toBe('1.1.0');
    expect(loadNetwork(dir, 'b').cniVersion).toBe('0.1.0');
    expect(() => loadNetwork(dir, 'c')).toThrow(/c\.conflist: incompatible CNI versions: cniVersion "7\.0\.0" is not supported/);
    write('c.conflist', list('d', { cniVersions: ['1.1'] }));
    expect(() => loadNetwork(dir, 'd')).toThrow(/c\.conflist: "cniVersions"\[0\] must be a version such as "1\.1\.0", not "1\.1"/);
  });

  it('reads disableCheck and disableGC, including the string forms libcni accepts', () => {
    write('a.conflist', list('a', { disableCheck: 'true', disableGC: true }));
    const net = loadNetwork(dir, 'a');
    expect([net.disableCheck, net.disableGC]).toEqual([true, true]);
    write('b.conflist', list('b', { disableCheck: 'yes' }));
    expect(() => loadNetwork(dir, 'b')).toThrow(/"disableCheck" must be true or false/);
  });

  it.each([
    ['invalid JSON', '{"name": ', /bad\.conflist: not valid JSON/],
    ['no name', { cniVersion: '1.0.0', plugins: [{ type: 'x' }] }, /missing network name/],
    ['a name that escapes a directory', list('../etc'), /invalid network name "\.\.\/etc"/],
    ['no plugins', { cniVersion: '1.0.0', name: 'n' }, /"plugins" must be a non-empty list/],
    ['a plugin without type', list('n', { plugins: [{ bridge: 'x' }] }), /plugins\[0\]: missing "type"/],
    ['a type with a path', list('n', { plugins: [{ type: '../../bin/sh' }] }), /"type" must be a plain executable name/],
    ['capabilities that are not booleans', list('n', { plugins: [{ type: 'p', capabilities: { portMappings: 'yes' } }] }), /"capabilities" must map/],
  ])('refuses %s, naming the file and field', (_what, content, message) => {
    write('bad.conflist', content as unknown);
    expect(() => loadNetwork(dir, 'n')).toThrow(message);
  });

  it('says where it looked when no list has the name', () => {
    write('a.conflist', list('a'));
    expect(() => loadNetwork(dir, 'zzz')).toThrow(`no network named "zzz" in ${dir}`);
  });

  it('names an unreadable directory', () => {
    expect(() => loadNetwork(join(dir, 'missing'), 'a')).toThrow(/cannot read the configuration directory/);
  });
});

describe('loadAll', () => {
  it('returns each file with its list or its problem', () => {
    write('a.conflist', list('a'));
    write('b.conf', '{oops');
    write('ignored.txt', 'x');
    const all = loadAll(dir);
    expect(all.map((e) => [e.file.slice(dir.length + 1), e.list?.name, e.problem !== undefined])).toEqual([
      ['a.conflist', 'a', false],
      ['b.conf', undefined, true],
    ]);
  });
});

describe('chooseCniVersion (libcni: the highest version of cniVersion and cniVersions both sides speak)', () => {
  it('takes the highest of cniVersions and cniVersion that the runtime speaks', () => {
    expect(chooseCniVersion({ cniVersions: ['0.3.1', '1.1.0'] })).toBe('1.1.0');
    expect(chooseCniVersion({ cniVersion: '0.3.1', cniVersions: ['0.3.1', '1.1.0'] })).toBe('1.1.0');
    expect(chooseCniVersion({ cniVersion: '1.0.0', cniVersions: ['0.3.1', '0.4.0'] })).toBe('1.0.0');
    expect(chooseCniVersion({ cniVersions: ['1.1.0', '0.3.1'] })).toBe('1.1.0'); // order does not matter
  });

  it('skips versions newer than the runtime speaks, as libcni does', () => {
    expect(chooseCniVersion({ cniVersion: '0.4.0', cniVersions: ['1.0.0', '2.0.0', '1.2.0'] })).toBe('1.0.0');
  });

  it('without cniVersions, uses cniVersion; with neither, 0.1.0', () => {
    expect(chooseCniVersion({ cniVersion: '0.3.1' })).toBe('0.3.1');
    expect(chooseCniVersion({})).toBe('0.1.0');
    expect(chooseCniVersion({ cniVersion: '', cniVersions: [] })).toBe('0.1.0');
  });

  it('narrows the choice to what the plugins answer to VERSION', () => {
    const list = { cniVersion: '0.3.1', cniVersions: ['0.3.1', '1.0.0', '1.1.0'] };
    expect(chooseCniVersion(list, ['0.3.0', '0.3.1', '0.4.0', '1.0.0'])).toBe('1.0.0');
    expect(() => chooseCniVersion(list, ['0.2.0'])).toThrow('incompatible CNI versions: none of ["0.3.1","1.0.0","1.1.0","0.3.1"] is supported; supported are ["0.2.0"]');
  });

  it('refuses keys of the wrong type and list entries that are not versions, naming them', () => {
    expect(() => chooseCniVersion({ cniVersion: 1 })).toThrow('"cniVersion" must be a string');
    expect(() => chooseCniVersion({ cniVersions: '1.1.0' })).toThrow('"cniVersions" must be a list of strings');
    expect(() => chooseCniVersion({ cniVersions: ['1.1.0', 7] })).toThrow('"cniVersions"[1] must be a version such as "1.1.0", not 7');
    expect(() => chooseCniVersion({ cniVersion: 'one', cniVersions: ['1.1.0'] })).toThrow('"cniVersion" must be a version such as "1.1.0", not "one"');
  });

  it('refuses a list with no version the runtime speaks', () => {
    expect(() => chooseCniVersion({ cniVersion: '2.0.0' })).toThrow('incompatible CNI versions: cniVersion "2.0.0" is not supported');
    expect(() => chooseCniVersion({ cniVersion: '2.0.0', cniVersions: ['3.0.0'] })).toThrow(/none of \["3\.0\.0","2\.0\.0"\] is supported/);
  });
});
