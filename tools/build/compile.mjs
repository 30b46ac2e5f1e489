// One multi-call executable from the bundle dist/js/cni-ts.cjs: Bun's compiler (the host's) with
// the hardened copy of a target architecture's runtime embedded. Used by build.mjs (the host's
// architecture) and release.mjs (every architecture).
import { execFileSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { writeHardenedRuntime } from './harden-runtime.mjs';
import { architectures, bunBinary, compileFlags } from './options.mjs';

/**
 * @param {{ arch: keyof typeof architectures, runtime: string, bundle: string, outfile: string, work: string }} o
 *   runtime: the target's Bun binary, of exactly the compiler's version (the embedded bytecode is
 *   version-specific); work: a private directory for the hardened copy. Bun names the bundle in
 *   the executable by its path from the working directory, so it runs beside the bundle: the
 *   same bundle gives the same bytes wherever it lies (release.mjs builds in a temporary
 *   directory).
 */
export function compileExecutable({ arch, runtime, bundle, outfile, work }) {
  const hardened = join(work, `bun-hardened-${arch}`);
  writeHardenedRuntime(runtime, hardened);
  execFileSync(
    bunBinary,
    ['build', ...compileFlags, `--target=${architectures[arch].bunTarget}`, `--compile-executable-path=${hardened}`, `--outfile=${outfile}`, basename(bundle)],
    { cwd: dirname(bundle), stdio: ['ignore', 'ignore', 'inherit'] },
  );
}
