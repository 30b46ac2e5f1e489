import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { UsageError } from '../cli/output.ts';

/** A release tarball's architecture by its executable's ELF e_machine (tools/build/options.mjs). */
const ELF_ARCHITECTURES: Record<number, string> = { 62: 'amd64', 183: 'arm64' };
/** This machine's architecture in the release's names. */
export const hostArchitecture = (): string => ({ x64: 'amd64', arm64: 'arm64' })[process.arch as string] ?? process.arch;

const HEX_LENGTH = { sha256: 64, sha512: 128 } as const;

/**
 * Check `tarball` against every checksum file beside it (`<tarball>.sha256`, `<tarball>.sha512`,
 * one line as sha256sum prints it); at least one must be there. Throws on a mismatch.
 */
export function verifyChecksums(tarball: string): void {
  const files = (Object.keys(HEX_LENGTH) as Array<keyof typeof HEX_LENGTH>).filter((a) => existsSync(`${tarball}.${a}`));
  if (files.length === 0) throw new UsageError(`no ${basename(tarball)}.sha256 or .sha512 beside ${tarball}: download the checksum file with the tarball`);
  const bytes = readFileSync(tarball);
  for (const algorithm of files) {
    const file = `${tarball}.${algorithm}`;
    const expected = new RegExp(`^([0-9a-f]{${HEX_LENGTH[algorithm]}})[ \\t]+\\*?\\S+\\s*$`).exec(readFileSync(file, 'utf8'))?.[1];
    if (!expected) throw new UsageError(`${file} is not a ${algorithm}sum line ("<hex>  <file name>")`);
    const actual = createHash(algorithm).update(bytes).digest('hex');
    if (actual !== expected) {
      throw new UsageError(`${tarball}: ${algorithm} is ${actual}, ${basename(file)} says ${expected}: refusing a tarball that is not the one released (download both again)`);
    }
  }
}

/** The architecture of the executable at `path`; throws when it is not one of the release's. */
export function executableArchitecture(path: string): string {
  const header = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  const arch = header.readUInt32BE(0) === 0x7f454c46 ? ELF_ARCHITECTURES[header.readUInt16LE(18)] : undefined;
  if (!arch) throw new UsageError(`${path} is not a linux-amd64 or linux-arm64 executable`);
  return arch;
}

/**
 * Unpack a release tarball (cni-ts-linux-<arch>-v<version>.tgz) into a private temporary
 * directory, after its checksums and before anything is installed from it: refuses a tarball
 * whose checksum does not match and one built for another architecture. The caller installs
 * from `dir` and calls `remove()`.
 */
export function unpackRelease(tarball: string): { dir: string; remove: () => void } {
  verifyChecksums(tarball);
  const dir = mkdtempSync(join(tmpdir(), 'cnictl-release-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync('tar', ['-xzf', tarball, '-C', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    const executable = join(dir, 'cni-ts');
    if (!existsSync(executable)) throw new UsageError(`${tarball} holds no cni-ts executable: not a cni-ts release`);
    const arch = executableArchitecture(executable);
    if (arch !== hostArchitecture()) {
      throw new UsageError(`${basename(tarball)} is built for linux-${arch}; this machine is linux-${hostArchitecture()}: install the linux-${hostArchitecture()} tarball`);
    }
    return { dir, remove };
  } catch (err) {
    remove();
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot unpack ${tarball}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}
