import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

describe('OwnerIndex', () => {
  it('is rebuilt from the reservation files when it has never been written', () => {
    writeFileSync(join(net.path, '10.0.0.2'), 'c1\r\neth0');
    writeFileSync(join(net.path, '10.0.0.3'), 'c1');
    writeFileSync(join(net.path, '10.0.0.4'), '');
    expect(fresh().lookup('c1', 'eth0')).toEqual(['10.0.0.2', '10.0.0.3']);
    expect(readdirSync(join(dataDir, '.n.cni-ts-index')).sort()).toEqual(['c1@', 'c1@eth0', 'stamp']);
  });

  it('is trusted while the directory is as it was sealed, and rebuilt after a foreign change', () => {
    const index = fresh();
    index.add({ containerId: 'c1', ifName: 'eth0' }, '10.0.0.2');
    writeFileSync(join(net.path, '10.0.0.2'), 'c1\r\neth0');
    index.seal();
    // An entry planted in the index alone is believed: nothing in the network dir changed.
    writeFileSync(join(index.dir, ownerKey({ containerId: 'c9', ifName: 'eth0' })), '10.0.0.9');
    expect(fresh().lookup('c9', 'eth0')).toEqual(['10.0.0.9']);
    // Another program adds a file: the mtime moves, the index is rebuilt from the files.
    writeFileSync(join(net.path, '10.0.0.5'), 'c5\r\neth0');
    const rebuilt = fresh();
    expect(rebuilt.lookup('c9', 'eth0')).toEqual([]);
    expect(rebuilt.lookup('c5', 'eth0')).toEqual(['10.0.0.5']);
  });

  it('is rebuilt after a reboot (another boot id in the stamp)', () => {
    const index = fresh();
    writeFileSync(join(index.dir, ownerKey({ containerId: 'ghost', ifName: 'eth0' })), '10.0.0.9');
    const stamp = join(index.dir, 'stamp');
    writeFileSync(stamp, readFileSync(stamp, 'utf8').replace(/^[^\n]*/, 'another-boot'));
    expect(fresh().lookup('ghost', 'eth0')).toEqual([]);
  });

  it('names owners safely: escaped, and hashed when too long', () => {
    expect(ownerKey({ containerId: 'abc', ifName: 'eth0' })).toBe('abc@eth0');
    expect(ownerKey({ containerId: 'abc' })).toBe('abc@');
    expect(ownerKey({ containerId: '../x', ifName: 'a/b' })).toBe('..%2Fx@a%2Fb');
    const long = ownerKey({ containerId: 'c'.repeat(300), ifName: 'eth0' });
    expect(long).toMatch(/^#[0-9a-f]+$/);
    expect(long).not.toBe(ownerKey({ containerId: 'c'.repeat(301), ifName: 'eth0' }));
  });
});
