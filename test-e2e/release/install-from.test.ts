import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readSync, rmSync, symlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cnictlIn } from '../lib/exec.ts';
import { aboutLine } from '../foundation/run.ts';
import { ARCHITECTURES, HOST_ARCH, PLUGIN_NAMES, tarballOf } from './lib.ts';

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'cni-ts-install-from-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** The release files of `arch` beside each other in `work` (symlinks), without `omit`. */
const stage = (arch: string, omit: string[] = []): string => {
  for (const ext of ['', '.sha256', '.sha512']) if (!omit.includes(ext)) symlinkSync(`${tarballOf(arch)}${ext}`, join(work, `${basename(tarballOf(arch))}${ext}`));
  return join(work, basename(tarballOf(arch)));
};

describe('cnictl install --from <release tarball>', () => {
  it("installs this machine's tarball after checking it, and the plugins run", () => {
    const bin = join(work, 'bin');
    const r = cnictlIn(undefined, ['install', '--dir', bin, '--from', stage(HOST_ARCH)]);
    expect(r.code, r.stderr).toBe(0);
    for (const p of PLUGIN_NAMES) {
      expect(r.stdout).toContain(`${p}: `);
      expect(spawnSync(join(bin, p), [], { encoding: 'utf8', env: {} }).stderr.split('\n')[0]).toBe(aboutLine(p));
    }
  });

  it('refuses a tarball that does not match its checksum file, and installs nothing', () => {
    const tampered = join(work, basename(tarballOf(HOST_ARCH)));
    copyFileSync(tarballOf(HOST_ARCH), tampered);
    symlinkSync(`${tarballOf(HOST_ARCH)}.sha256`, `${tampered}.sha256`);
    const fd = openSync(tampered, 'r+');
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, 1000);
    byte[0] = byte[0]! ^ 0xff;
    writeSync(fd, byte, 0, 1, 1000);
    closeSync(fd);
    const r = cnictlIn(undefined, ['install', '--dir', join(work, 'bin'), '--from', tampered]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/sha256 is [0-9a-f]{64}, cni-ts-linux-\w+-v[^ ]+\.tgz\.sha256 says [0-9a-f]{64}: refusing/);
    expect(existsSync(join(work, 'bin'))).toBe(false);
  });

  it('refuses a tarball without a checksum file beside it', () => {
    const r = cnictlIn(undefined, ['install', '--dir', join(work, 'bin'), '--from', stage(HOST_ARCH, ['.sha256', '.sha512'])]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no cni-ts-linux-\w+-v\S+\.tgz\.sha256 or \.sha512 beside/);
  });

  for (const other of ARCHITECTURES.filter((a) => a !== HOST_ARCH)) {
    it(`refuses the linux-${other} tarball on this linux-${HOST_ARCH} machine`, () => {
      const r = cnictlIn(undefined, ['install', '--dir', join(work, 'bin'), '--from', stage(other)]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`is built for linux-${other}; this machine is linux-${HOST_ARCH}: install the linux-${HOST_ARCH} tarball`);
      expect(existsSync(join(work, 'bin'))).toBe(false);
    });
  }
});
