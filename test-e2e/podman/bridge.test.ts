import { describe } from 'vitest';
import { bridgeNetwork } from './lib/networks.ts';
import { podmanLifecycle } from './lib/scenarios.ts';

describe('podman + bridge/host-local/portmap conflist', () => {
  podmanLifecycle('pb', (lab) => bridgeNetwork(lab, '1.0.0', 7));
});
