import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SavedConfStore } from './saved-conf.ts';

let dir: string;
let store: SavedConfStore;
let logged: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flannel-saved-'));
  logged = [];
  store = new SavedConfStore(join(dir, 'flannel'), (m) => logged.push(m));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const conf = { type: 'bridge', name: 'net' };
const names = (): string[] => readdirSync(join(dir, 'flannel')).sort();

describe('SavedConfStore', () => {
  it('keys files by container id and ifname, mode 0600 in a 0700 directory', async () => {
    const a = await store.save('c1', 'eth0', JSON.stringify(conf));
    await store.save('c1', 'net1', JSON.stringify({ ...conf, type: 'macvlan' }));
    expect(a).toBe(join(dir, 'flannel', 'c1:eth0'));
    expect(statSync(a).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'flannel')).mode & 0o777).toBe(0o700);
    expect(store.load('c1', 'eth0')).toEqual({ state: 'ok', conf, files: [a] });
    expect(store.load('c1', 'net1')).toMatchObject({ state: 'ok', conf: { type: 'macvlan' } });
  });

  it("falls back to the reference's id-only file", async () => {
    await store.save('other', 'eth0', '{}');
    writeFileSync(join(dir, 'flannel', 'c2'), JSON.stringify(conf));
    expect(store.load('c2', 'eth0')).toEqual({ state: 'ok', conf, files: [join(dir, 'flannel', 'c2')] });
  });

  it('reports missing, empty and non-JSON files', async () => {
    expect(store.load('none', 'eth0')).toEqual({ state: 'missing' });
    await store.save('empty', 'eth0', '');
    expect(store.load('empty', 'eth0')).toMatchObject({ state: 'corrupt', reason: expect.stringContaining('not JSON (0 bytes)') });
    await store.save('torn', 'eth0', '{"type":"bri');
    expect(store.load('torn', 'eth0')).toMatchObject({ state: 'corrupt' });
    await store.save('notype', 'eth0', '[1]');
    expect(store.load('notype', 'eth0')).toMatchObject({ state: 'corrupt', reason: expect.stringContaining('no string "type"') });
  });

  it('never follows a symlink at a saved name; a directory there is corrupt, not an error', async () => {
    await store.save('x', 'eth0', '{}');
    writeFileSync(join(dir, 'target'), JSON.stringify(conf));
    symlinkSync(join(dir, 'target'), join(dir, 'flannel', 'c1:eth0'));
    expect(store.load('c1', 'eth0')).toMatchObject({ state: 'corrupt', reason: expect.stringContaining('symbolic link') });
    store.remove([join(dir, 'flannel', 'c1:eth0')]);
    expect(existsSync(join(dir, 'target'))).toBe(true);
    mkdirSync(join(dir, 'flannel', 'c2:eth0'));
    expect(store.load('c2', 'eth0')).toMatchObject({ state: 'corrupt', reason: expect.stringContaining('is a directory') });
  });

  it('remove takes an empty directory at a saved name and leaves a full one with a message', async () => {
    await store.save('x', 'eth0', '{}');
    mkdirSync(join(dir, 'flannel', 'c1:eth0'));
    mkdirSync(join(dir, 'flannel', 'c2:eth0'));
    writeFileSync(join(dir, 'flannel', 'c2:eth0', 'f'), '');
    store.remove([join(dir, 'flannel', 'c1:eth0'), join(dir, 'flannel', 'c2:eth0')]);
    expect(names()).toEqual(['c2:eth0', 'x:eth0']);
    expect(logged.join('')).toContain('c2:eth0 is a directory that is not empty');
  });

  it('removeTemps takes only the temp files of that attachment', async () => {
    await store.save('c1', 'eth0', '{}');
    for (const n of ['c1:eth0.tmp-12-abc', 'c1:eth0.tmp-13-def', 'c1:eth1.tmp-12-abc', 'c10:eth0.tmp-1-a']) writeFileSync(join(dir, 'flannel', n), '');
    await store.removeTemps('c1', 'eth0');
    expect(names()).toEqual(['c10:eth0.tmp-1-a', 'c1:eth0', 'c1:eth1.tmp-12-abc']);
  });

  it('sweep keeps valid attachments, drops the rest, legacy files by container id', async () => {
    await store.save('keep', 'eth0', '{}');
    await store.save('keep', 'eth1', '{}');
    await store.save('gone', 'eth0', '{}');
    writeFileSync(join(dir, 'flannel', 'keep'), '{}');
    writeFileSync(join(dir, 'flannel', 'legacygone'), '{}');
    writeFileSync(join(dir, 'flannel', 'keep:eth0.tmp-123-abc'), '');
    const removed = await store.sweep([{ containerID: 'keep', ifname: 'eth0' }]);
    expect(removed.sort()).toEqual(['gone:eth0', 'keep:eth0.tmp-123-abc', 'keep:eth1', 'legacygone']);
    expect(names()).toEqual(['keep', 'keep:eth0']);
  });

  it('remove and sweep tolerate what is already gone', async () => {
    store.remove([join(dir, 'flannel', 'nothing')]);
    expect(await store.sweep([])).toEqual([]);
    await store.removeTemps('c1', 'eth0');
    expect(existsSync(join(dir, 'flannel'))).toBe(false);
  });
});

describe('SavedConfStore.save failures', () => {
  it('is code 5 naming the dataDir', async () => {
    writeFileSync(join(dir, 'file'), '');
    const blocked = new SavedConfStore(join(dir, 'file', 'flannel'));
    await expect(blocked.save('c1', 'eth0', '{}')).rejects.toMatchObject({ code: 5, message: expect.stringContaining(join(dir, 'file', 'flannel')) });
  });

  it('leaves no temp file when the rename fails (a directory at the saved name)', async () => {
    await store.save('x', 'eth0', '{}');
    mkdirSync(join(dir, 'flannel', 'c1:eth0'));
    writeFileSync(join(dir, 'flannel', 'c1:eth0', 'f'), '');
    await expect(store.save('c1', 'eth0', '{}')).rejects.toMatchObject({ code: 5 });
    expect(names()).toEqual(['c1:eth0', 'x:eth0']);
  });
});
