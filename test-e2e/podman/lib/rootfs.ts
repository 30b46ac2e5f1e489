import { mkdirSync, symlinkSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { must } from './sh.ts';

const BUSYBOX = '/bin/busybox';

/**
 * A container root filesystem with no image: Debian's busybox-static plus one symlink per applet,
 * and the passwd/group entries podman looks up for root. `podman run --rootfs DIR` uses it as is,
 * so ping, nc and httpd run without pulling anything.
 */
export function buildBusyboxRootfs(dir: string): void {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'etc'), { recursive: true });
  mkdirSync(join(dir, 'www'), { recursive: true });
  copyFileSync(BUSYBOX, join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  for (const applet of must([BUSYBOX, '--list']).split('\n').filter(Boolean)) {
    // An applet named like the binary itself would replace it with a symlink loop.
    if (applet !== 'busybox') symlinkSync('busybox', join(dir, 'bin', applet));
  }
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\n');
}

/** A page only this container serves, so a fetch proves which container answered. */
export function writePage(rootfs: string, name: string): string {
  mkdirSync(join(rootfs, 'www', name), { recursive: true });
  writeFileSync(join(rootfs, 'www', name, 'index.html'), `served by ${name}\n`);
  return `/www/${name}`;
}
