import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cnictlIn, DIST_BIN, type ProcessOutput } from './exec.ts';

/**
 * A private directory tree for one test, never the host's: conflists (confDir), libcni's result
 * cache (cacheDir), IPAM data (dataDir, for the conflists to name). remove() takes it all.
 */
export class Workspace {
  readonly root: string;
  readonly confDir: string;
  readonly cacheDir: string;
  readonly dataDir: string;

  constructor(prefix = 'cni-ts-e2e-') {
    this.root = mkdtempSync(join(tmpdir(), prefix));
    this.confDir = join(this.root, 'net.d');
    this.cacheDir = join(this.root, 'cache');
    this.dataDir = join(this.root, 'ipam');
    mkdirSync(this.confDir);
  }

  /** Write a conflist (or a single .conf) into the conf dir. */
  writeList(file: string, list: unknown): void {
    writeFileSync(join(this.confDir, file), JSON.stringify(list));
  }

  /** cnictl on this workspace's conflists and cache, inside `netns` when given, plugins from `cniPath`. */
  cnictl(netns: string | undefined, args: string[], cniPath = DIST_BIN, timeoutMs?: number): ProcessOutput {
    return cnictlIn(netns, [...args, '--conf-dir', this.confDir, '--cache-dir', this.cacheDir, '--cni-path', cniPath], timeoutMs);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
