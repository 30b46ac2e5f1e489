import { BUILD_VERSION, SUPPORTED_VERSIONS } from '@cni-ts/core';
import { out } from '../cli/output.ts';

const HELP = `cnictl — run CNI network lists like a container runtime, install and check the plugins

Usage:
  cnictl add    <net> <netns> [options]   ADD the list's plugins in order; prints the result JSON
  cnictl check  <net> <netns> [options]   CHECK against the cached ADD result (skipped if disableCheck)
  cnictl del    <net> <netns> [options]   DEL the plugins in reverse order; removes the cached result
  cnictl gc     <net> [options]           DEL cached attachments not in --valid-attachments, then GC
  cnictl status <net> [options]           STATUS of each plugin, stops at the first not ready
  cnictl install --dir DIR [--from DIR] [plugin...]   put the executables in DIR (default: all plugins)
  cnictl validate [--conf-dir DIR] [--cni-path DIRS] [net]   report problems in the network lists
  cnictl demo [--cni-path DIRS] [--pods N] [--no-portmap] [--no-lab]
                                          pods on a bridge in throwaway namespaces, then the flannel lab
  cnictl lab up|status|down [options]     a multi-node flannel cluster in namespaces (see the README)
  cnictl version | help

<net> is the "name" inside a list in the conf dir; <netns> is a path or a name under /run/netns.

Options:
  --conf-dir DIR          network lists (env NETCONFPATH; default /etc/cni/net.d)
  --cni-path DIR[:DIR]    where plugins are found (env CNI_PATH; default /opt/cni/bin)
  --cache-dir DIR         libcni result cache (default /var/lib/cni; results in DIR/results)
  --ifname NAME           interface in the container (env CNI_IFNAME; default eth0)
  --container-id ID       default: cnictl- + 20 hex of sha512(netns path)
  --cap-args JSON         capability args, e.g. '{"portMappings":[...]}' (env CAP_ARGS)
  --args 'K=V;K2=V2'      CNI_ARGS (env CNI_ARGS)
  --valid-attachments JSON  gc: '[{"containerID":"...","ifname":"eth0"}]' (default: none valid)
  --timings               print how long each plugin process took (stderr)
`;

export async function helpCommand(): Promise<number> {
  out(HELP);
  return 0;
}

export async function versionCommand(): Promise<number> {
  out(`cnictl ${BUILD_VERSION} (cni-ts); CNI versions ${SUPPORTED_VERSIONS.join(', ')}`);
  return 0;
}
