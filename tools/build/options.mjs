// What build.mjs builds and how: shared with measure-startup.mjs and the lazy-loading test, so
// that what is measured and tested is what ships.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lazyBuiltins } from './lazy-builtins.mjs';
import { buildVersion } from './version.mjs';

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
  // The bundle names each module by its path from here: the same wherever the build is started.
  absWorkingDir: root,
  define: {
    // packages/core/src/build-version.ts
    CNI_TS_BUILD_VERSION: JSON.stringify(buildVersion(root)),
    // A bundled library's `__dirname` (grpc-js's proto directory) would otherwise be where the
    // bundle lay at compile time (a temporary directory for a release): Bun bakes that into the
    // executable, and no two releases would be the same bytes. No such files lie beside an
    // executable or a bundle anyway.
    __dirname: JSON.stringify('/cni-ts'),
  },
};

/**
 * The architectures a release is built for: Go's names (as the reference plugins' tarballs and
 * Docker's TARGETARCH say them), Bun's `--target`, the npm package whose binary is the runtime
 * embedded in the executable, and the ELF e_machine of that executable.
 */
export const architectures = {
  amd64: { bunTarget: 'bun-linux-x64', runtimePackage: '@oven/bun-linux-x64', elfMachine: 62 },
  arm64: { bunTarget: 'bun-linux-arm64', runtimePackage: '@oven/bun-linux-aarch64', elfMachine: 183 },
};

/** This machine's architecture in those names. */
export const hostArchitecture = { x64: 'amd64', arm64: 'arm64' }[process.arch];

/**
 * Bun's compiler: the host's runtime package (both are optionalDependencies of exactly one
 * version, so `npm ci` installs the one this machine runs; its binary ships inside it).
 */
if (!hostArchitecture) throw new Error(`cni-ts builds on x86_64 or arm64 Linux, not on ${process.arch}`);
export const bunBinary = createRequire(import.meta.url).resolve(`${architectures[hostArchitecture].runtimePackage}/bin/bun`);

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
