import { copyFileSync, linkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_BIN, REFERENCE_BIN } from '../../lib/exec.ts';

export const PLUGINS = ['bridge', 'host-local', 'portmap', 'flannel'] as const;

/**
 * Which executables podman runs. Ours (dist/bin) by default; `PODMAN_E2E_PLUGINS=reference`
 * runs the same suites against Debian's Go plugins, to tell a harness problem from a plugin one.
 */
export function pluginSource(): { ours: boolean; dir: string; names: readonly string[] } {
  if (process.env.PODMAN_E2E_PLUGINS === 'reference') return { ours: false, dir: REFERENCE_BIN, names: ['bridge', 'host-local', 'portmap'] };
  return { ours: true, dir: DIST_BIN, names: PLUGINS };
}

/**
 * Fill a private plugin dir with only the chosen executables: hard links (the multi-call
 * executable dispatches on its file name, so a link named `bridge` is the bridge), copies when
 * the dirs are on different filesystems.
 */
export function populatePluginDir(target: string): string[] {
  const { dir, names } = pluginSource();
  mkdirSync(target, { recursive: true });
  for (const name of names) {
    try {
      linkSync(join(dir, name), join(target, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      copyFileSync(join(dir, name), join(target, name));
    }
  }
  return [...names];
}
