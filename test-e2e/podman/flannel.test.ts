import { describe } from 'vitest';
import { pluginSource } from './lib/plugins.ts';
import { flannelNetwork } from './lib/networks.ts';
import { podmanLifecycle } from './lib/scenarios.ts';

// Debian ships no flannel plugin, so this suite runs only against our executables.
describe.skipIf(!pluginSource().ours)('podman + flannel/portmap conflist (subnet.env as flanneld writes it)', () => {
  podmanLifecycle('pf', (lab) => flannelNetwork(lab, 7));
});
