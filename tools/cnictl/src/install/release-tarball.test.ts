import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executableArchitecture, verifyChecksums } from './release-tarball.ts';

let dir: string;
let tarball: string;
const sum = (algorithm: string, text: string): string => createHash(algorithm).update(text).digest('hex');
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnictl-release-test-'));
  tarball = join(dir, 'cni-ts-linux-amd64-v0.1.0.tgz');
  writeFileSync(tarball, 'released bytes');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('verifyChecksums', () => {
  it('accepts a tarball matching every checksum file beside it', () => {
    writeFileSync(`${tarball}.sha256`, `${sum('sha256', 'released bytes')}  cni-ts-linux-amd64-v0.1.0.tgz\n`);
    writeFileSync(`${tarball}.sha512`, `${sum('sha512', 'released bytes')}  cni-ts-linux-amd64-v0.1.0.tgz\n`);
    expect(() => verifyChecksums(tarball)).not.toThrow();
  });

  it('refuses a mismatch in either file, naming both sums', () => {
    writeFileSync(`${tarball}.sha256`, `${sum('sha256', 'released bytes')}  cni-ts-linux-amd64-v0.1.0.tgz\n`);
    writeFileSync(`${tarball}.sha512`, `${sum('sha512', 'other bytes')}  cni-ts-linux-amd64-v0.1.0.tgz\n`);
    expect(() => verifyChecksums(tarball)).toThrow(new RegExp(`sha512 is ${sum('sha512', 'released bytes')}, cni-ts-linux-amd64-v0\\.1\\.0\\.tgz\\.sha512 says ${sum('sha512', 'other bytes')}: refusing`));
  });

  it('refuses a tarball without a checksum file, or with one that is not a checksum line', () => {
    expect(() => verifyChecksums(tarball)).toThrow(/no cni-ts-linux-amd64-v0\.1\.0\.tgz\.sha256 or \.sha512 beside/);
    writeFileSync(`${tarball}.sha256`, 'not a sum\n');
    expect(() => verifyChecksums(tarball)).toThrow(/\.sha256 is not a sha256sum line/);
  });
});

describe('executableArchitecture', () => {
  const elf = (machine: number): string => {
    const header = Buffer.alloc(64);
    header.writeUInt32BE(0x7f454c46, 0);
    header.writeUInt16LE(machine, 18);
    const path = join(dir, `elf-${machine}`);
    writeFileSync(path, header);
    return path;
  };

  it('reads amd64 and arm64 from the ELF header, and refuses anything else', () => {
    expect(executableArchitecture(elf(62))).toBe('amd64');
    expect(executableArchitecture(elf(183))).toBe('arm64');
    expect(() => executableArchitecture(elf(40))).toThrow(/is not a linux-amd64 or linux-arm64 executable/);
    expect(() => executableArchitecture(tarball)).toThrow(/is not a linux-amd64 or linux-arm64 executable/);
  });
});
