import { existsSync, mkdirSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CniError, ErrorCode, type Attachment } from '@cni-ts/core';
import { atomicTempPrefix, isAtomicTemp, readFileNoFollow, writeFileAtomic } from '@cni-ts/linux';
import { lockFile } from '@cni-ts/linux/lock';

export type SavedLookup =
  | { state: 'missing' }
  | { state: 'ok'; conf: Record<string, unknown>; files: string[] }
  | { state: 'corrupt'; reason: string; files: string[] };

/**
 * The delegate configs saved at ADD so that DEL can undo exactly what ADD did, even after
 * subnet.env changed. Files are `<dataDir>/<containerID>:<ifname>` (a container ID never holds a
 * ":", so the name splits back unambiguously); the reference's `<dataDir>/<containerID>` files,
 * keyed by container alone, are still read so a node can switch plugins under running pods.
 */
export class SavedConfStore {
  constructor(
    readonly dataDir: string,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  path(containerId: string, ifName: string): string {
    return join(this.dataDir, `${containerId}:${ifName}`);
  }

  private legacyPath(containerId: string): string {
    return join(this.dataDir, containerId);
  }

  /** Written before the delegate's ADD: a crash in between still leaves DEL what to undo. */
  async save(containerId: string, ifName: string, json: string): Promise<string> {
    const file = this.path(containerId, ifName);
    try {
      mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
      await this.locked(() => writeFileAtomic(file, json, 0o600));
    } catch (err) {
      throw new CniError(ErrorCode.IoFailure, `cannot save the delegate config in dataDir ${this.dataDir}: ${(err as Error).message}`);
    }
    return file;
  }

  /** The saved config, read without following a symlink planted at its name. */
  load(containerId: string, ifName: string): SavedLookup {
    for (const file of [this.path(containerId, ifName), this.legacyPath(containerId)]) {
      let text: string;
      try {
        text = readFileNoFollow(file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') continue;
        const why = code === 'ELOOP' ? 'is a symbolic link (not followed)' : code === 'EISDIR' ? 'is a directory, not a saved config' : `cannot be read: ${(err as Error).message}`;
        return { state: 'corrupt', reason: `${file} ${why}`, files: [file] };
      }
      try {
        const conf = JSON.parse(text) as unknown;
        if (typeof conf !== 'object' || conf === null || Array.isArray(conf) || typeof (conf as { type?: unknown }).type !== 'string') {
          return { state: 'corrupt', reason: `${file} is not a delegate config (no string "type")`, files: [file] };
        }
        return { state: 'ok', conf: conf as Record<string, unknown>, files: [file] };
      } catch (err) {
        return { state: 'corrupt', reason: `${file} is not JSON (${text.length} bytes): ${(err as Error).message}`, files: [file] };
      }
    }
    return { state: 'missing' };
  }

  /**
   * Remove saved files (a symlink itself, never its target). Something that is not ours to
   * remove, such as a non-empty directory at a saved file's name, is left with a message: a
   * DEL must still be able to succeed.
   */
  remove(files: readonly string[]): void {
    for (const f of files) {
      try {
        unlinkSync(f);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') continue;
        if (code !== 'EISDIR') throw err;
        try {
          rmdirSync(f);
        } catch (dirErr) {
          this.log(`flannel: ${f} is a directory that is not empty; left in place (${(dirErr as Error).message})`);
        }
      }
    }
  }

  /**
   * Remove the temp files of this attachment's saved config: a process killed between writing
   * one and renaming it leaves it behind.
   */
  async removeTemps(containerId: string, ifName: string): Promise<void> {
    const prefix = atomicTempPrefix(`${containerId}:${ifName}`);
    await this.locked(() => this.remove(this.names().filter((n) => n.startsWith(prefix) && isAtomicTemp(n)).map((n) => join(this.dataDir, n))));
  }

  /**
   * Remove the files of every attachment not in `valid` (GC), and every temp file: under the
   * lock, no live writer owns one. Returns the names removed.
   */
  async sweep(valid: readonly Attachment[]): Promise<string[]> {
    const keep = new Set(valid.map((a) => `${a.containerID}:${a.ifname}`));
    const keepIds = new Set(valid.map((a) => a.containerID));
    return this.locked(() => {
      const stale = this.names().filter((n) => isAtomicTemp(n) || (n.includes(':') ? !keep.has(n) : !keepIds.has(n)));
      this.remove(stale.map((n) => join(this.dataDir, n)));
      return stale;
    });
  }

  private names(): string[] {
    try {
      return readdirSync(this.dataDir);
    } catch {
      return [];
    }
  }

  /**
   * Run `fn` holding a flock(2) on the dataDir itself (no lock file among the saved configs): held
   * while a saved config is written (temp file, rename) and while GC sweeps, so a sweep never
   * takes the temp file an ADD is about to rename, and every temp file a sweep sees belongs to a
   * writer that died. With no dataDir there is nothing to exclude.
   */
  private async locked<T>(fn: () => T): Promise<T> {
    if (!existsSync(this.dataDir)) return fn();
    const lock = await lockFile(this.dataDir);
    try {
      return fn();
    } finally {
      await lock.release();
    }
  }
}
