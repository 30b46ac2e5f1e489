/**
 * The one executable behind every plugin name: hard-linked as bridge, host-local, portmap,
 * flannel, loopback and cnictl, it runs the program named by how it was invoked. Each program's
 * code is loaded only when that program runs, so a plugin call pays for its own code alone.
 */
import { basename } from 'node:path';
import { CniError, ErrorCode, finish, registerInProcess, runPluginProcess, type PluginLoader } from '@cni-ts/core';

const plugins: Record<string, PluginLoader> = {
  bridge: async () => (await import('@cni-ts/bridge')).plugin,
  'host-local': async () => (await import('@cni-ts/host-local')).plugin,
  portmap: async () => (await import('@cni-ts/portmap')).plugin,
  flannel: async () => (await import('@cni-ts/flannel')).plugin,
  loopback: async () => (await import('@cni-ts/loopback')).plugin,
};
const PROGRAMS = [...Object.keys(plugins), 'cnictl'];

/** The program to run: the invoked name (argv0 keeps a symlink's own name), else the file's name. */
function programName(): string {
  const invokedAs = basename(process.argv0 || process.execPath);
  return PROGRAMS.includes(invokedAs) ? invokedAs : basename(process.execPath);
}

/** A failure before any plugin runs: a CNI error on stdout when a runtime is calling, else words. */
function fail(message: string): never {
  const runtimeCall = Boolean(process.env.CNI_COMMAND);
  return finish({
    stdout: runtimeCall ? JSON.stringify(new CniError(ErrorCode.Internal, message).toJSON()) : '',
    stderr: runtimeCall ? '' : `${message}\n`,
    exitCode: 1,
  });
}

async function main(): Promise<void> {
  const name = programName();
  if (name === 'cnictl') {
    const { main: cnictl } = await import('@cni-ts/cnictl');
    process.exit(await cnictl(process.argv.slice(2)));
  }
  const load = plugins[name];
  if (!load) fail(`cni-ts: invoked as "${name}"; invoke me as one of ${PROGRAMS.join(', ')} (a hard link or symlink of that name)`);
  registerInProcess(process.execPath, plugins);
  await runPluginProcess(await load());
}

main().catch((err: unknown) => fail(`cni-ts: ${err instanceof Error ? err.message : String(err)}`));
