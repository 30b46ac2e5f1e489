// `npm run release [-- --out DIR]`: for every architecture in options.mjs, the multi-call
// executable compiled on that architecture's Bun runtime, packed with a hard link under every
// program name plus README.md, LICENSE and NOTICE as DIR/cni-ts-linux-<arch>-v<version>.tgz
// (default DIR: dist/release), with .sha256 and .sha512 beside it. Runs on an x86_64 or arm64
// machine with nothing but the npm registry (runtime-package.mjs).
import { build } from 'esbuild';
import { chmodSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compileExecutable } from './compile.mjs';
import { architectures, esbuildOptions, multicallEntry, programs, root } from './options.mjs';
import { runtimeFor } from './runtime-package.mjs';
import { writeChecksums, writeTarball } from './tarball.mjs';
import { releaseVersion, sourceDateEpoch } from './version.mjs';

/** What a tarball holds besides the executable's names. */
const DOCUMENTS = ['README.md', 'LICENSE', 'NOTICE'];

/** The tarball's file name. */
export const tarballName = (arch, version) => `cni-ts-linux-${arch}-v${version}.tgz`;

/** The names in a tarball, in their order: the executable first, so that the others are hard links to it. */
export const tarballEntries = () => ['cni-ts', ...Object.keys(programs), ...DOCUMENTS];

async function release(out) {
  const version = releaseVersion(root);
  const epoch = sourceDateEpoch(root);
  mkdirSync(out, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'cni-ts-release-'));
  try {
    const bundle = join(work, 'cni-ts.cjs');
    await build({ ...esbuildOptions, entryPoints: [multicallEntry], outfile: bundle });
    const packing = Object.keys(architectures).map((arch) => {
      const stage = join(work, arch);
      mkdirSync(stage);
      compileExecutable({ arch, runtime: runtimeFor(arch, work), bundle, outfile: join(stage, 'cni-ts'), work });
      chmodSync(join(stage, 'cni-ts'), 0o755);
      for (const name of Object.keys(programs)) linkSync(join(stage, 'cni-ts'), join(stage, name));
      for (const doc of DOCUMENTS) {
        copyFileSync(join(root, doc), join(stage, doc));
        chmodSync(join(stage, doc), 0o644);
      }
      const outfile = join(out, tarballName(arch, version));
      return writeTarball({ stage, names: tarballEntries(), epoch, outfile }).then(() => {
        writeChecksums(outfile);
        return outfile;
      });
    });
    for (const file of await Promise.all(packing)) console.log(`released ${file}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  await release(resolve(values.out ?? join(root, 'dist/release')));
}
