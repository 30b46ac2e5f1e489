import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/exec.ts';

/** Where `npm run release` writes (turbo runs it before these tests). */
export const RELEASE_DIR = join(REPO_ROOT, 'dist/release');
export const RELEASE_SCRIPT = join(REPO_ROOT, 'tools/build/release.mjs');

const options = (await import(join(REPO_ROOT, 'tools/build/options.mjs'))) as {
  architectures: Record<string, { elfMachine: number }>;
  hostArchitecture: string;
  programs: Record<string, string>;
};
const release = (await import(RELEASE_SCRIPT)) as { tarballName: (arch: string, version: string) => string; tarballEntries: () => string[] };
const version = (await import(join(REPO_ROOT, 'tools/build/version.mjs'))) as { releaseVersion: (root: string) => string };

export const ARCHITECTURES = Object.keys(options.architectures);
export const ELF_MACHINE = (arch: string): number => options.architectures[arch]!.elfMachine;
export const HOST_ARCH = options.hostArchitecture;
/** Every program of the multi-call executable (build options: one list). */
export const PROGRAMS = Object.keys(options.programs);
export const PLUGIN_NAMES = PROGRAMS.filter((p) => p !== 'cnictl');
export const VERSION = version.releaseVersion(REPO_ROOT);
export const tarballOf = (arch: string): string => join(RELEASE_DIR, release.tarballName(arch, VERSION));
export const TARBALL_ENTRIES = release.tarballEntries();

/** A private directory holding the tarball's files; the caller removes it. */
export function extract(tarball: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cni-ts-release-test-'));
  execFileSync('tar', ['-xzf', tarball, '-C', dir]);
  return dir;
}

/** The ELF e_machine of an executable (62 x86-64, 183 AArch64). */
export const elfMachine = (header: Buffer): number => header.readUInt16LE(18);

/**
 * How this machine runs a linux-arm64 executable: natively on arm64, else under Debian's
 * qemu-user (qemu-aarch64) with the arm64 C library of libc6-arm64-cross as its sysroot.
 */
export const ARM64_RUNNER: string[] = HOST_ARCH === 'arm64' ? [] : ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu'];
export const arm64Argv = (exe: string): [string, ...string[]] => {
  const [first, ...rest] = [...ARM64_RUNNER, exe];
  return [first!, ...rest];
};
