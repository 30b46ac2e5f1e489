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
