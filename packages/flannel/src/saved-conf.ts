import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CniError, ErrorCode, type Attachment } from '@cni-ts/core';
import { isAtomicTemp, writeFileAtomic } from '@cni-ts/linux';

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
  constructor(readonly dataDir: string) {}

  path(containerId: string, ifName: string): string {
    return join(this.dataDir, `${containerId}:${ifName}`);
  }

  private legacyPath(containerId: string): string {
    return join(this.dataDir, containerId);
  }

  /** Written before the delegate's ADD: a crash in between still leaves DEL what to undo. */
  save(containerId: string, ifName: string, json: string): string {
    const file = this.path(containerId, ifName);
    try {
      mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
      writeFileAtomic(file, json, 0o600);
    } catch (err) {
      throw new CniError(ErrorCode.IoFailure, `cannot save the delegate config in dataDir ${this.dataDir}: ${(err as Error).message}`);
    }
    return file;
  }

  load(containerId: string, ifName: string): SavedLookup {
    for (const file of [this.path(containerId, ifName), this.legacyPath(containerId)]) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        return { state: 'corrupt', reason: `cannot read ${file}: ${(err as Error).message}`, files: [file] };
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

  remove(files: readonly string[]): void {
    for (const f of files) rmSync(f, { force: true });
  }

  /** Remove the files of every attachment not in `valid` (GC); returns the names removed. */
  sweep(valid: readonly Attachment[]): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dataDir);
    } catch {
      return [];
    }
    const keep = new Set(valid.map((a) => `${a.containerID}:${a.ifname}`));
    const keepIds = new Set(valid.map((a) => a.containerID));
    const stale = names.filter((n) => (n.includes(':') ? !keep.has(n) : !keepIds.has(n)) || isAtomicTemp(n));
    this.remove(stale.map((n) => join(this.dataDir, n)));
    return stale;
  }
}
