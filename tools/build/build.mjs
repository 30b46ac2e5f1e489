// Builds every deliverable into <repo>/dist:
//   dist/js/<program>.cjs  one esbuild bundle per program, runnable by `node` (>= 20);
//   dist/bin/cni-ts        the Bun-compiled multi-call executable (no Node.js needed on the host),
//   dist/bin/<program>     hard links to it under every plugin name and cnictl.
import { build } from 'esbuild';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileExecutable } from './compile.mjs';
import { bunBinary, esbuildOptions, hostArchitecture, multicallEntry, programs, root } from './options.mjs';

const dist = join(root, 'dist');
mkdirSync(join(dist, 'js'), { recursive: true });
mkdirSync(join(dist, 'bin'), { recursive: true });

await Promise.all([
  ...Object.entries(programs).map(([name, entry]) =>
    build({ ...esbuildOptions, entryPoints: [join(root, entry)], outfile: join(dist, 'js', `${name}.cjs`) }),
  ),
  build({ ...esbuildOptions, entryPoints: [multicallEntry], outfile: join(dist, 'js', 'cni-ts.cjs') }),
]);

const exe = join(dist, 'bin', 'cni-ts');
const installing = `${exe}.tmp-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'cni-ts-build-'));
try {
  const compiled = join(work, 'cni-ts');
  compileExecutable({ arch: hostArchitecture, runtime: bunBinary, bundle: join(dist, 'js', 'cni-ts.cjs'), outfile: compiled, work });
  // Put in place as `cnictl install` writes it (copyFileSync): how a file's pages entered the
  // page cache moves every call of it by ~2 ms (flannel ADD 21.8 ms after a copy, 23.9 ms as bun
  // wrote it, 24.6 ms once its pages were evicted and read back by exec; test-e2e/bench/README.md),
  // so dist/bin runs like an installed plugin.
  copyFileSync(compiled, installing);
} finally {
  rmSync(work, { recursive: true, force: true });
}
// Replace, never truncate: an executable that is running keeps its old inode.
renameSync(installing, exe);
// Each name is linked under a temporary name, then renamed over the old one: no moment where a
// plugin is missing for a runtime (or a test) that execs it during a rebuild.
for (const name of Object.keys(programs)) {
  const link = join(dist, 'bin', name);
  const tmpLink = `${link}.tmp-${process.pid}`;
  rmSync(tmpLink, { force: true });
  linkSync(exe, tmpLink);
  renameSync(tmpLink, link);
}
console.log(`built ${Object.keys(programs).join(', ')} -> ${join(dist, 'bin')}`);
