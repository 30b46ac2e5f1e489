import { closeSync, constants, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Write a file so that a crash leaves either the old content or the new, never a torn file:
 * write a temp file beside it, fsync, rename over, fsync the directory. Whatever fails (the
 * write, the fsync, the rename), the temp file is gone when this throws. Only a process killed
 * between creating the temp and renaming it leaves one behind: `<target>.tmp-<pid>-<random>`,
 * which `atomicTempPrefix(target)` and `isAtomicTemp` let its owner's cleanup find.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const tmp = `${atomicTempPrefix(path)}${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  // O_EXCL: a planted file or symlink at the temp's name is never written through.
  const fd = openSync(tmp, 'wx', mode);
  try {
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    unlinkQuietly(tmp);
    throw err;
  }
  fsyncDir(dir);
}

/** The start of every temp name writeFileAtomic uses for `target`. */
export const atomicTempPrefix = (target: string): string => `${target}.tmp-`;

/** A leftover temp file of an interrupted writeFileAtomic (`<target>.tmp-<pid>-<random>`), for sweeps. */
export const isAtomicTemp = (name: string): boolean => /\.tmp-\d+-[a-z0-9]+$/.test(name);

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone (or never made): nothing is left either way
  }
}

/**
 * Read a state file without following a symlink at its name: a link planted in a state
 * directory could otherwise make a plugin act on any file of the host. ELOOP means a symlink.
 */
export function readFileNoFollow(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Replace a small state file's content in place without following a symlink at its name (a
 * plain writeFileSync would write through it to wherever it points).
 */
export function writeFileNoFollow(path: string, data: string, options: { mode?: number; append?: boolean } = {}): void {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (options.append ? constants.O_APPEND : constants.O_TRUNC);
  const fd = openSync(path, flags, options.mode ?? 0o600);
  try {
    writeSync(fd, data);
  } finally {
    closeSync(fd);
  }
}

/** Flush a file that was written by other means (e.g. copyFileSync) before renaming it into place. */
export function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function fsyncDir(dir: string): void {
  try {
    fsyncFile(dir);
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  }
}
