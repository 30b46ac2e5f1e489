import { describe } from 'vitest';
import { pluginSource } from './lib/plugins.ts';
import { bridgeNetwork } from './lib/networks.ts';
import { podmanLifecycle } from './lib/scenarios.ts';

describe('podman + bridge/host-local/portmap conflist', () => {
  podmanLifecycle('pb', (lab) => bridgeNetwork(lab, { cniVersion: '1.0.0', octet: 7 }));
});

// Debian's bridge 1.1.1 predates the nftables backend (ipMasqBackend / backend keys).
describe.skipIf(!pluginSource().ours)('podman + bridge/host-local/portmap conflist on the nftables backend', () => {
  podmanLifecycle('pn', (lab) => bridgeNetwork(lab, { cniVersion: '1.0.0', octet: 8, firewall: 'nftables' }), { nftablesOnly: true });
});
