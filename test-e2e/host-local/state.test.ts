// dist/bin/host-local against hostile or broken state directories: a failing write after the
// reservation, symlinks and directories planted where its files go, relative paths.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addresses, hl, hlConfig, OURS } from './lib.ts';

let dir: string;
let dataDir: string;
let netDir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ctsrl-hl-'));
  dataDir = join(dir, 'data');
  netDir = join(dataDir, 'hlnet');
  mkdirSync(netDir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ipam = { ranges: [[{ subnet: '10.77.0.0/24' }]] };
const conf = (extra: Record<string, unknown> = ipam) => hlConfig(dataDir, extra);
const add = (containerId = 'c1') => hl(OURS, { command: 'ADD', config: conf(), containerId });
const del = (containerId = 'c1') => hl(OURS, { command: 'DEL', config: conf(), containerId });
/** Files named by an address, whatever they are. */
const addressNames = (): string[] => readdirSync(netDir).filter((n) => /^\d+\.\d+\.\d+\.\d+$/.test(n)).sort();
const noTrace = (out: { stdout: string; stderr: string }): void => expect(out.stdout + out.stderr).not.toMatch(/\n\s+at /);

describe('dist/bin/host-local: a failure after the reservation leaves nothing behind', () => {
  it('last_reserved_ip.0 cannot be written (a directory there): code 5, the reservation is released, DEL and the next ADD agree', () => {
    mkdirSync(join(netDir, 'last_reserved_ip.0'));
    const out = add();
    expect(out.json).toMatchObject({ code: 5, msg: expect.stringContaining('last_reserved_ip.0') });
    noTrace(out);
    expect(addressNames()).toEqual([]);
    expect(readdirSync(netDir).filter((n) => n.includes('.tmp-'))).toEqual([]);
    expect(del().code).toBe(0);
    // The index was not sealed over a lost reservation: once the obstacle is gone, c2 gets the
    // first address and c1 has none.
    rmSync(join(netDir, 'last_reserved_ip.0'), { recursive: true });
    const again = add('c2');
    expect(addresses(again)).toEqual(['10.77.0.2/24']);
    expect(hl(OURS, { command: 'CHECK', config: { ...conf(), cniVersion: '1.1.0' }, containerId: 'c1' }).json).toMatchObject({ code: 999 });
  });
});

describe('dist/bin/host-local: state paths', () => {
  it('a relative dataDir is code 7 naming it, nothing written', () => {
    const out = hl(OURS, { command: 'ADD', config: hlConfig('relative/dir', ipam) });
    expect(out.json).toMatchObject({ code: 7, msg: expect.stringContaining('ipam.dataDir: must be an absolute path') });
    expect(existsSync('relative')).toBe(false);
  });

  it('a directory named like the next free address is skipped with a message, not a code 5', () => {
    mkdirSync(join(netDir, '10.77.0.2'));
    const out = add();
    expect(out.code, out.stdout + out.stderr).toBe(0);
    expect(addresses(out)).toEqual(['10.77.0.3/24']);
    expect(out.stderr).toContain('skipped 10.77.0.2');
    const gc = hl(OURS, { command: 'GC', config: { ...conf(), 'cni.dev/valid-attachments': [] } });
    expect(gc.code, gc.stdout).toBe(0);
    expect(gc.stderr).toContain('10.77.0.2: it is a directory');
    expect(lstatSync(join(netDir, '10.77.0.2')).isDirectory()).toBe(true);
    expect(addressNames()).toEqual(['10.77.0.2']);
  });

  it('a symlink at an address is never followed: skipped on ADD, refused when requested, left by GC', () => {
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'c-victim\r\neth0');
    symlinkSync(victim, join(netDir, '10.77.0.2'));
    const out = add();
    expect(addresses(out)).toEqual(['10.77.0.3/24']);
    expect(out.stderr).toContain('10.77.0.2 is a symbolic link');
    const asked = hl(OURS, { command: 'ADD', config: conf(), containerId: 'c2', cniArgs: 'IP=10.77.0.2' });
    expect(asked.json).toMatchObject({ code: 999, msg: expect.stringContaining('is a symbolic link, not a reservation file') });
    // DEL of the owner the victim names finds nothing of its own.
    expect(del('c-victim').code).toBe(0);
    expect(hl(OURS, { command: 'GC', config: { ...conf(), 'cni.dev/valid-attachments': [] } }).code).toBe(0);
    expect(lstatSync(join(netDir, '10.77.0.2')).isSymbolicLink()).toBe(true);
    expect(readFileSync(victim, 'utf8')).toBe('c-victim\r\neth0');
  });

  it.each(['last_reserved_ip.0', 'lock'])('a symlink planted as %s is refused (code 5), its target never written or created', (name) => {
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'keep');
    const dangling = join(dir, 'created-through-link');
    symlinkSync(name === 'lock' ? dangling : victim, join(netDir, name));
    const out = add();
    expect(out.json).toMatchObject({ code: 5, msg: expect.stringContaining(name) });
    noTrace(out);
    expect(readFileSync(victim, 'utf8')).toBe('keep');
    expect(existsSync(dangling)).toBe(false);
    expect(addressNames()).toEqual([]);
  });

  it("a symlink in place of the network's directory is refused (code 5)", () => {
    rmSync(netDir, { recursive: true });
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, netDir);
    const out = add();
    expect(out.json).toMatchObject({ code: 5, msg: expect.stringContaining('is a symbolic link') });
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});

describe('dist/bin/host-local: reservations from before the last boot', () => {
  const THIS_BOOT = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const OLD_BOOT = '00000000-0000-4000-8000-000000000000';
  const indexFile = (): string => join(dataDir, '.hlnet.cni-ts-index');
  const stampFile = (): string => join(dataDir, '.hlnet.cni-ts-stamp');
  /** What a reboot leaves behind: every recorded boot, and the stamp, are of another boot. */
  const reboot = (): void => {
    for (const f of [indexFile(), stampFile()]) writeFileSync(f, readFileSync(f, 'utf8').replaceAll(THIS_BOOT, OLD_BOOT));
  };
  const small = { ranges: [[{ subnet: '10.77.0.0/29' }]] }; // .2 to .6: five addresses
  const addTo = (cid: string) => hl(OURS, { command: 'ADD', config: conf(small), containerId: cid });

  it('each reservation records the boot it was made in (the index format the README documents)', () => {
    expect(addresses(addTo('c1'))).toEqual(['10.77.0.2/29']);
    expect(readFileSync(indexFile(), 'utf8')).toBe(`# cni-ts host-local owner index v2: <containerID>@<ifname> <address> <boot_id> per line\nc1@eth0 10.77.0.2 ${THIS_BOOT}\n`);
  });

  it('GC releases them even when the runtime lists them; a full range releases them on ADD', () => {
    for (const cid of ['a', 'b', 'c', 'd', 'e']) expect(addTo(cid).code).toBe(0);
    expect(addTo('f').json).toMatchObject({ code: 999, msg: expect.stringContaining('no IP addresses available') });
    reboot();
    const f = addTo('f');
    expect(f.code, f.stdout).toBe(0);
    expect(f.stderr).toContain('the range set was full: released 10.77.0.2 (a), reserved before this boot');
    expect(addressNames()).toEqual([addresses(f)[0]!.split('/')[0]]);
    // GC: g is made in this boot, f is made "before" it once more.
    reboot();
    expect(addTo('g').code).toBe(0);
    const gc = hl(OURS, { command: 'GC', config: { ...conf(small), 'cni.dev/valid-attachments': ['f', 'g'].map((c) => ({ containerID: c, ifname: 'eth0' })) } });
    expect(gc.code, gc.stdout).toBe(0);
    expect(gc.stderr).toContain('(f/eth0, before this boot)');
    expect(Object.values(Object.fromEntries(addressNames().map((n) => [n, readFileSync(join(netDir, n), 'utf8')])))).toEqual(['g\r\neth0']);
  });
});
