/**
 * The one executable behind every plugin name: hard-linked as bridge, host-local, portmap,
 * flannel and cnictl, it runs the program named by how it was invoked. Each program's code is
 * loaded only when that program runs, so a plugin call pays for its own code alone.
 */
import { basename } from 'node:path';
import { finish, registerInProcess, runPluginProcess, type PluginLoader } from '@cni-ts/core';

const plugins: Record<string, PluginLoader> = {
  bridge: async () => (await import('@cni-ts/bridge')).plugin,
  'host-local': async () => (await import('@cni-ts/host-local')).plugin,
  portmap: async () => (await import('@cni-ts/portmap')).plugin,
  flannel: async () => (await import('@cni-ts/flannel')).plugin,
};

async function main(): Promise<void> {
  // argv0 keeps a symlink's name; execPath resolves hard links to the name they were run by.
  const invokedAs = basename(process.argv0 || process.execPath);
  const name = invokedAs in plugins || invokedAs === 'cnictl' ? invokedAs : basename(process.execPath);
  if (name === 'cnictl') {
    const { main: cnictl } = await import('@cni-ts/cnictl');
    process.exit(await cnictl(process.argv.slice(2)));
  }
  const load = plugins[name];
  if (!load) {
    const names = [...Object.keys(plugins), 'cnictl'].join(', ');
    finish({ stdout: '', stderr: `cni-ts: invoke me as one of ${names} (a hard link or symlink of that name)\n`, exitCode: 1 });
  }
  registerInProcess(process.execPath, plugins);
  await runPluginProcess(await load());
}

void main();
