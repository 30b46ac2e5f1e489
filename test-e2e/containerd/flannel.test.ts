import { describe } from 'vitest';
import { flannelNetwork } from '../podman/lib/networks.ts';
import { containerdLifecycle, containerdRefusesNewerResults } from './lib/scenarios.ts';

// kube-flannel's conflist: flannel (-> bridge + host-local from subnet.env), then portmap.
const flannel = (octet: number) => (node: Parameters<typeof flannelNetwork>[0], cniVersion: string, cniVersions?: string[]) =>
  flannelNetwork(node, octet, cniVersion, cniVersions);

for (const [version, octet] of [['0.3.1', 41], ['1.0.0', 42]] as const) {
  describe(`containerd CRI + kube-flannel conflist at cniVersion ${version}`, () => {
    containerdLifecycle('crf', version, flannel(octet));
  });
}

describe('containerd CRI + kube-flannel conflist at cniVersion 1.1.0', () => {
  containerdRefusesNewerResults('crm', flannel(43));
});
