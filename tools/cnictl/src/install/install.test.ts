import { chmodSync, linkSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, closeSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installPlugins } from './install.ts';

let root: string;
let from: string;
let to: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cnictl-install-'));
  from = join(root, 'from');
  to = join(root, 'to');
  mkdirSync(from);
  // the multi-call layout: one file under several names
  writeFileSync(join(from, 'cni-ts'), '#!/bin/sh\necho new\n');
  chmodSync(join(from, 'cni-ts'), 0o755);
  for (const n of ['bridge', 'host-local']) linkSync(join(from, 'cni-ts'), join(from, n));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const inode = (p: string): number => statSync(p).ino;

describe('installPlugins (same filesystem)', () => {
  it('hard-links, creates the directory, and is idempotent', () => {
    expect(installPlugins(from, to, ['bridge', 'host-local']).map((s) => s.action)).toEqual(['hard-linked', 'hard-linked']);
    expect(inode(join(to, 'bridge'))).toBe(inode(join(from, 'cni-ts')));
    expect(installPlugins(from, to, ['bridge', 'host-local']).map((s) => s.action)).toEqual(['up to date', 'up to date']);
  });

  it('replaces an old file by rename: whoever holds the old inode sees it untouched', () => {
    mkdirSync(to);
    writeFileSync(join(to, 'bridge'), 'old binary');
    const running = openSync(join(to, 'bridge'), 'r'); // stands for a process executing it
    try {
      installPlugins(from, to, ['bridge']);
      const buf = Buffer.alloc(64);
      expect(buf.subarray(0, readSync(running, buf, 0, 64, 0)).toString()).toBe('old binary');
      expect(readFileSync(join(to, 'bridge'), 'utf8')).toBe('#!/bin/sh\necho new\n');
    } finally {
      closeSync(running);
    }
  });

  it('names a missing executable and a bad name, installing nothing', () => {
    expect(() => installPlugins(from, to, ['bridge', 'nope'])).toThrow(`no executable "nope" in ${from}`);
    expect(() => installPlugins(from, to, ['../x'])).toThrow(/not a plugin name/);
    expect(() => statSync(to)).toThrow();
  });
});
