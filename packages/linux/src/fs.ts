import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Write a file so that a crash leaves either the old content or the new, never a torn file:
 * write a temp file beside it, fsync, rename over, fsync the directory.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`; // see isAtomicTemp
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDir(dir);
}

/** A leftover temp file of an interrupted writeFileAtomic (`<target>.tmp-<pid>-<random>`), for sweeps. */
export const isAtomicTemp = (name: string): boolean => /\.tmp-\d+-[a-z0-9]+$/.test(name);

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
