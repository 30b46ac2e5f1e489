import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SavedConfStore } from './saved-conf.ts';

let dir: string;
let store: SavedConfStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flannel-saved-'));
  store = new SavedConfStore(join(dir, 'flannel'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const conf = { type: 'bridge', name: 'net' };

describe('SavedConfStore', () => {
  it('keys files by container id and ifname, mode 0600 in a 0700 directory', () => {
    const a = store.save('c1', 'eth0', JSON.stringify(conf));
    store.save('c1', 'net1', JSON.stringify({ ...conf, type: 'macvlan' }));
    expect(a).toBe(join(dir, 'flannel', 'c1:eth0'));
    expect(statSync(a).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'flannel')).mode & 0o777).toBe(0o700);
    expect(store.load('c1', 'eth0')).toEqual({ state: 'ok', conf, files: [a] });
    expect(store.load('c1', 'net1')).toMatchObject({ state: 'ok', conf: { type: 'macvlan' } });
  });

  it("falls back to the reference's id-only file", () => {
    store.save('other', 'eth0', '{}');
    writeFileSync(join(dir, 'flannel', 'c2'), JSON.stringify(conf));
    expect(store.load('c2', 'eth0')).toEqual({ state: 'ok', conf, files: [join(dir, 'flannel', 'c2')] });
  });

  it('reports missing, empty and non-JSON files', () => {
    expect(store.load('none', 'eth0')).toEqual({ state: 'missing' });
    store.save('empty', 'eth0', '');
    expect(store.load('empty', 'eth0')).toMatchObject({ state: 'corrupt', reason: expect.stringContaining('not JSON (0 bytes)') });
    store.save('torn', 'eth0', '{"type":"bri');
    expect(store.load('torn', 'eth0')).toMatchObject({ state: 'corrupt' });
    store.save('notype', 'eth0', '[1]');
    expect(store.load('notype', 'eth0')).toMatchObject({ state: 'corrupt', reason: expect.stringContaining('no string "type"') });
  });

  it('sweep keeps valid attachments and drops the rest, legacy files by container id', () => {
    store.save('keep', 'eth0', '{}');
    store.save('keep', 'eth1', '{}');
    store.save('gone', 'eth0', '{}');
    writeFileSync(join(dir, 'flannel', 'keep'), '{}');
    writeFileSync(join(dir, 'flannel', 'legacygone'), '{}');
    writeFileSync(join(dir, 'flannel', 'keep:eth0.tmp-123-abc'), '');
    const removed = store.sweep([{ containerID: 'keep', ifname: 'eth0' }]);
    expect(removed.sort()).toEqual(['gone:eth0', 'keep:eth0.tmp-123-abc', 'keep:eth1', 'legacygone']);
    expect(readdirSync(join(dir, 'flannel')).sort()).toEqual(['keep', 'keep:eth0']);
  });

  it('remove and sweep tolerate what is already gone', () => {
    store.remove([join(dir, 'flannel', 'nothing')]);
    expect(store.sweep([])).toEqual([]);
    expect(existsSync(join(dir, 'flannel'))).toBe(false);
  });
});

describe('SavedConfStore.save failures', () => {
  it('is code 5 naming the dataDir', () => {
    writeFileSync(join(dir, 'file'), '');
    const blocked = new SavedConfStore(join(dir, 'file', 'flannel'));
    expect(() => blocked.save('c1', 'eth0', '{}')).toThrow(expect.objectContaining({ code: 5, message: expect.stringContaining(join(dir, 'file', 'flannel')) }));
  });
});
