import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cnictlIn, DIST_BIN, REPO_ROOT } from '../lib/exec.ts';

const PLUGINS = ['bridge', 'host-local', 'portmap', 'flannel', 'loopback'];
const inode = (p: string): number => statSync(p).ino;
let dirs: string[] = [];
const tempIn = (parent: string): string => {
  const d = mkdtempSync(join(parent, 'cnictl-install-'));
  dirs.push(d);
  return d;
};
beforeEach(() => {
  dirs = [];
});
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('cnictl install', () => {
  it('hard-links the executables on the same filesystem, and a second run changes nothing', () => {
    const dir = join(tempIn(join(REPO_ROOT, 'dist')), 'bin'); // same filesystem as dist/bin
    const first = cnictlIn(undefined, ['install', '--dir', dir]);
    expect(first.code).toBe(0);
    for (const p of PLUGINS) {
      expect(first.stdout).toContain(`${p}: hard-linked (${join(dir, p)})`);
      expect(inode(join(dir, p))).toBe(inode(join(DIST_BIN, 'cni-ts')));
    }
    const second = cnictlIn(undefined, ['install', '--dir', dir]);
    expect(second.stdout.trim().split('\n')).toEqual(PLUGINS.map((p) => `${p}: up to date (${join(dir, p)})`));
  });

  it('copies once across filesystems, links the other names to that copy, and the copy runs', () => {
    const dir = tempIn('/dev/shm');
    const first = cnictlIn(undefined, ['install', '--dir', dir, 'bridge', 'host-local']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`bridge: copied`);
    expect(first.stdout).toContain(`host-local: hard-linked`);
    expect(inode(join(dir, 'host-local'))).toBe(inode(join(dir, 'bridge')));
    expect(statSync(join(dir, 'bridge')).mode & 0o755).toBe(0o755);
    const version = spawnSync(join(dir, 'host-local'), [], { env: { CNI_COMMAND: 'VERSION' }, input: '{}', encoding: 'utf8' });
    expect(JSON.parse(version.stdout)).toMatchObject({ cniVersion: '1.1.0' });
    const second = cnictlIn(undefined, ['install', '--dir', dir, 'bridge', 'host-local']);
    expect(second.stdout).toMatch(/bridge: up to date[\s\S]*host-local: up to date/);
  });

  it('replaces a binary that is running without disturbing it', async () => {
    const dir = tempIn('/dev/shm');
    const target = join(dir, 'bridge');
    copyFileSync('/usr/bin/sleep', target); // stands for an old plugin a runtime is executing
    const running = spawn(target, ['30'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100));
      const r = cnictlIn(undefined, ['install', '--dir', dir, 'bridge']);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('bridge: copied');
      expect(running.exitCode).toBeNull(); // still running its old inode
      expect(readFileSync(`/proc/${running.pid}/exe`).equals(readFileSync('/usr/bin/sleep'))).toBe(true);
      expect(statSync(target).size).toBe(statSync(join(DIST_BIN, 'cni-ts')).size);
    } finally {
      running.kill('SIGKILL');
    }
  });

  it('refuses a name it does not have, installing nothing', () => {
    const dir = join(tempIn('/dev/shm'), 'bin');
    const r = cnictlIn(undefined, ['install', '--dir', dir, 'bridge', 'nosuch']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no executable "nosuch" in .*dist\/bin/);
    expect(() => statSync(dir)).toThrow();
  });
});
