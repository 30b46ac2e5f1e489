import { describe } from 'vitest';
import { bridgeNetwork } from '../podman/lib/networks.ts';
import { containerdLifecycle, containerdRefusesNewerResults } from './lib/scenarios.ts';

const bridge = (octet: number) => (node: Parameters<typeof bridgeNetwork>[0], cniVersion: string, cniVersions?: string[]) =>
  bridgeNetwork(node, { cniVersion, cniVersions, octet });

for (const [version, octet] of [['1.0.0', 31], ['0.3.1', 32]] as const) {
  describe(`containerd CRI + bridge/host-local/portmap conflist at cniVersion ${version}`, () => {
    containerdLifecycle('crb', version, bridge(octet));
  });
}

describe('containerd CRI + bridge/host-local/portmap conflist at cniVersion 1.1.0', () => {
  containerdRefusesNewerResults('crn', bridge(33));
});
