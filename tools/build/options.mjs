// What build.mjs builds and how: shared with measure-startup.mjs and the lazy-loading test, so
// that what is measured and tested is what ships.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lazyBuiltins } from './lazy-builtins.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every program: its entry for the per-program bundle (dist/js/<name>.cjs). */
export const programs = {
  bridge: 'packages/bridge/src/main.ts',
  'host-local': 'packages/host-local/src/main.ts',
  portmap: 'packages/portmap/src/main.ts',
  flannel: 'packages/flannel/src/main.ts',
  loopback: 'packages/loopback/src/main.ts',
  cnictl: 'tools/cnictl/src/bin.ts',
};

/** The multi-call entry compiled into dist/bin/cni-ts. */
export const multicallEntry = join(root, 'tools/build/src/multicall.ts');

/** esbuild options of every bundle. */
export const esbuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  legalComments: 'none',
  minifySyntax: true,
  plugins: [lazyBuiltins],
};

/** Bun's compiler, from the @oven/bun-linux-x64 package (its binary ships inside the package). */
export const bunBinary = createRequire(import.meta.url).resolve('@oven/bun-linux-x64/bin/bun');

/**
 * `bun build --compile` flags. A plugin runs as root in the runtime's working directory, so the
 * executable must never read bunfig.toml, .env, tsconfig.json or package.json from there.
 * --bytecode halves start-up. --compile-jit-policy scales JavaScriptCore's tier-up thresholds:
 * at 1, a plugin call's run-once start-up code (esbuild's module initialiser wrapper, called
 * ~80 times) already starts the JIT, whose first compiles cost more CPU than a 10-30 ms call
 * gains from them; at 50 they stay in the interpreter (README.md has the numbers).
 */
export const compileFlags = [
  '--compile',
  '--bytecode',
  '--compile-jit-policy=50',
  '--minify-syntax',
  '--no-compile-autoload-bunfig',
  '--no-compile-autoload-dotenv',
  '--no-compile-autoload-tsconfig',
  '--no-compile-autoload-package-json',
];
