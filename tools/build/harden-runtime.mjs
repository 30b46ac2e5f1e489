// The Bun runtime that dist/bin/cni-ts embeds, made deaf to environment variables that would
// let the caller's environment change what the executable runs or writes. A CNI plugin runs as
// root with whatever environment the runtime (kubelet, containerd, podman, a shell) had;
// Bun offers no build flag to turn these off, so the names are erased in a copy of the runtime:
// the first byte of each becomes NUL, and no environment variable name can contain NUL, so no
// value can ever be looked up under them again. docs/security.md lists each vector and its test.
import { readFileSync, writeFileSync } from 'node:fs';

export const ERASED_VARIABLES = {
  // `--preload FILE`, `--config FILE` (whose preload runs), `--inspect`...: code before ours.
  BUN_OPTIONS: 'extra runtime flags',
  // Turns the executable into the full `bun` CLI (`-e CODE`, `run FILE`).
  BUN_BE_BUN: 'act as the bun CLI',
  // Write a profile of the run to any path, as root.
  BUN_BYTECODE_ORDER_OUT: 'write a file at a chosen path',
  BUN_BYTECODE_ORDER_NAMES_OUT: 'write a file at a chosen path',
  BUN_BYTECODE_DIGEST_OUT: 'write a file at a chosen path',
  // Debugger: listen on or connect to an address, preload code (prefix of the _* variants too).
  BUN_INSPECT: 'open a debugger',
};

/** Write a hardened copy of the Bun runtime `source` to `outPath`; throws when it no longer has a name (review the list). */
export function writeHardenedRuntime(source, outPath) {
  const runtime = readFileSync(source);
  for (const name of Object.keys(ERASED_VARIABLES)) {
    const bytes = Buffer.from(name);
    let at = runtime.indexOf(bytes);
    if (at < 0) throw new Error(`${source} has no "${name}": Bun changed, review ERASED_VARIABLES in harden-runtime.mjs`);
    for (; at >= 0; at = runtime.indexOf(bytes, at + 1)) runtime[at] = 0;
  }
  writeFileSync(outPath, runtime, { mode: 0o755 });
}
