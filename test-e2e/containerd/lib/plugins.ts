import { copyFileSync, existsSync, linkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_BIN } from '../../lib/exec.ts';

/** Everything a kube-flannel node runs through containerd: loopback first (containerd's own call), then the conflist's. */
export const NODE_PLUGINS = ['loopback', 'bridge', 'host-local', 'portmap', 'flannel'] as const;

/** Fill containerd's bin_dir with our executables only: hard links of dist/bin (copies across filesystems). */
export function populateBinDir(target: string): void {
  mkdirSync(target, { recursive: true });
  for (const name of NODE_PLUGINS) {
    const source = join(DIST_BIN, name);
    if (!existsSync(source)) throw new Error(`${source} is missing: npm run build`);
    try {
      linkSync(source, join(target, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      copyFileSync(source, join(target, name));
    }
  }
}
