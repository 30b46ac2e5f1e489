// Builds every deliverable into <repo>/dist:
//   dist/js/<program>.cjs  one esbuild bundle per program, runnable by `node` (>= 20);
//   dist/bin/cni-ts        the Bun-compiled multi-call executable (no Node.js needed on the host),
//   dist/bin/<program>     hard links to it under every plugin name and cnictl.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = join(root, 'dist');
const programs = {
  bridge: 'packages/bridge/src/main.ts',
  'host-local': 'packages/host-local/src/main.ts',
  portmap: 'packages/portmap/src/main.ts',
  flannel: 'packages/flannel/src/main.ts',
  cnictl: 'tools/cnictl/src/bin.ts',
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  legalComments: 'none',
  minifySyntax: true,
};

mkdirSync(join(dist, 'js'), { recursive: true });
mkdirSync(join(dist, 'bin'), { recursive: true });

await Promise.all([
  ...Object.entries(programs).map(([name, entry]) =>
    build({ ...common, entryPoints: [join(root, entry)], outfile: join(dist, 'js', `${name}.cjs`) }),
  ),
  build({ ...common, entryPoints: [join(root, 'tools/build/src/multicall.ts')], outfile: join(dist, 'js', 'cni-ts.cjs') }),
]);

// Bun's compiler, from the @oven/bun-linux-x64 package (its binary ships inside the package).
const bun = createRequire(import.meta.url).resolve('@oven/bun-linux-x64/bin/bun');
const exe = join(dist, 'bin', 'cni-ts');
const tmp = `${exe}.tmp`;
execFileSync(
  bun,
  [
    'build', '--compile', '--bytecode', '--minify-syntax',
    // A plugin runs as root in the runtime's working directory: never read bunfig.toml or .env there.
    '--no-compile-autoload-bunfig', '--no-compile-autoload-dotenv',
    '--no-compile-autoload-tsconfig', '--no-compile-autoload-package-json',
    `--outfile=${tmp}`, join(dist, 'js', 'cni-ts.cjs'),
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
// Replace, never truncate: an executable that is running keeps its old inode.
renameSync(tmp, exe);
for (const name of Object.keys(programs)) {
  const link = join(dist, 'bin', name);
  if (existsSync(link)) rmSync(link);
  linkSync(exe, link);
}
console.log(`built ${Object.keys(programs).join(', ')} -> ${join(dist, 'bin')}`);
