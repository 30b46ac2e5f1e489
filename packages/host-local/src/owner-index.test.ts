import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ownerKey, OwnerIndex } from './owner-index.ts';
import { NetworkDir } from './store.ts';

let dataDir: string;
let net: NetworkDir;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'hl-index-'));
  net = new NetworkDir(join(dataDir, 'n'));
  net.ensure();
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const fresh = (): OwnerIndex => {
  const index = new OwnerIndex(dataDir, 'n', net);
  index.open();
  return index;
};
const indexFile = (): string => join(dataDir, '.n.cni-ts-index');
const stampFile = (): string => join(dataDir, '.n.cni-ts-stamp');
/** Plant an entry in the index file only, as if it had been there all along. */
const plant = (line: string): void => writeFileSync(indexFile(), readFileSync(indexFile(), 'utf8') + line);

describe('OwnerIndex', () => {
  it('is rebuilt from the reservation files when it has never been written', () => {
    writeFileSync(join(net.path, '10.0.0.2'), 'c1\r\neth0');
    writeFileSync(join(net.path, '10.0.0.3'), 'c1');
    writeFileSync(join(net.path, '10.0.0.4'), '');
    expect(fresh().lookup('c1', 'eth0')).toEqual(['10.0.0.2', '10.0.0.3']);
    // Found on disk, not reserved by us: the boot they were made in is unknown (-).
    expect(readFileSync(indexFile(), 'utf8').split('\n').slice(1)).toEqual(['c1@eth0 10.0.0.2 -', 'c1@ 10.0.0.3 -', '']);
  });

  it('keeps entries across calls: appends on add, rewrites on remove', () => {
    const a = fresh();
    a.add({ containerId: 'c1', ifName: 'eth0' }, '10.0.0.2');
    a.add({ containerId: 'c1', ifName: 'eth0' }, 'fd00::2');
    a.add({ containerId: 'c2', ifName: 'eth0' }, '10.0.0.3');
    a.seal();
    const b = fresh();
    expect(b.lookup('c1', 'eth0')).toEqual(['10.0.0.2', 'fd00::2']);
    b.remove({ containerId: 'c1', ifName: 'eth0' }, '10.0.0.2');
    b.seal();
    expect(fresh().lookup('c1', 'eth0')).toEqual(['fd00::2']);
    expect(fresh().lookup('c2', 'eth0')).toEqual(['10.0.0.3']);
    expect(fresh().lookup('c', 'eth0')).toEqual([]); // a prefix of an owner is not that owner
  });

  it('is trusted while the directory is as it was sealed, and rebuilt after a foreign change', () => {
    fresh();
    plant('c9@eth0 10.0.0.9\n');
    expect(fresh().lookup('c9', 'eth0')).toEqual(['10.0.0.9']); // believed: nothing changed
    writeFileSync(join(net.path, '10.0.0.5'), 'c5\r\neth0'); // another program adds a file
    const rebuilt = fresh();
    expect(rebuilt.lookup('c9', 'eth0')).toEqual([]);
    expect(rebuilt.lookup('c5', 'eth0')).toEqual(['10.0.0.5']);
  });

  it('is rebuilt after a reboot (another boot id in the stamp)', () => {
    fresh();
    plant('ghost@eth0 10.0.0.9\n');
    writeFileSync(stampFile(), readFileSync(stampFile(), 'utf8').replace(/^[^\n]*/, 'another-boot'));
    expect(fresh().lookup('ghost', 'eth0')).toEqual([]);
  });

  it('is replaced by the reservations a caller has read, without reading the files itself', () => {
    writeFileSync(join(net.path, '10.0.0.2'), 'c1\r\neth0');
    const index = new OwnerIndex(dataDir, 'n', net);
    index.replace([{ name: '10.0.0.3', owner: { containerId: 'c3', ifName: 'eth0' } }]);
    index.seal();
    const reopened = fresh(); // trusted as sealed: the file of 10.0.0.2 is not read
    expect(reopened.lookup('c3', 'eth0')).toEqual(['10.0.0.3']);
    expect(reopened.lookup('c1', 'eth0')).toEqual([]);
  });

  it('stamps nothing when it was neither opened nor replaced', () => {
    writeFileSync(join(net.path, '10.0.0.2'), 'c1\r\neth0');
    new OwnerIndex(dataDir, 'n', net).seal();
    expect(existsSync(stampFile())).toBe(false);
    expect(fresh().lookup('c1', 'eth0')).toEqual(['10.0.0.2']);
  });

  it('writes nothing when opened intact and left unchanged (a DEL that finds nothing)', () => {
    const a = fresh();
    a.add({ containerId: 'c1', ifName: 'eth0' }, '10.0.0.2');
    a.seal();
    // Marked: a write of the stamp or of the directory's times would show.
    utimesSync(stampFile(), 1000, 1000);
    const stamp = readFileSync(stampFile(), 'utf8');
    const dirTimes = statSync(net.path).mtimeMs;
    const b = fresh();
    expect(b.lookup('c2', 'eth0')).toEqual([]);
    b.seal();
    expect(statSync(stampFile()).mtimeMs).toBe(1000_000);
    expect(readFileSync(stampFile(), 'utf8')).toBe(stamp);
    expect(statSync(net.path).mtimeMs).toBe(dirTimes);
    expect(fresh().lookup('c1', 'eth0')).toEqual(['10.0.0.2']); // and the index is still trusted
  });

  it('writes owners as one token', () => {
    expect(ownerKey({ containerId: 'abc', ifName: 'eth0' })).toBe('abc@eth0');
    expect(ownerKey({ containerId: 'abc' })).toBe('abc@');
    expect(ownerKey({ containerId: 'a b\nc', ifName: 'x@y' })).toBe('a%20b%0Ac@x%40y');
  });
});
