import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkDispatch, expectCleanParse, nearConfig, parsingPlugin } from '@cni-ts/core/testing/properties';
import { parseConfig } from './config.ts';

const VALID = {
  cniVersion: '1.1.0', name: 'net', type: 'portmap', snat: true, masqAll: false, markMasqBit: 13, backend: 'iptables',
  conditionsV4: ['!', '-s', '10.0.0.0/8'], conditionsV6: ['!', '-s', 'fd00::/8'],
  runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '' }, { HostPort: 53, ContainerPort: 53, Protocol: 'udp' }] },
  prevResult: { cniVersion: '1.1.0', interfaces: [{ name: 'eth0', sandbox: '/run/netns/x' }], ips: [{ address: '10.0.0.5/24', interface: 0 }] },
};
const EXTRA = ['externalSetMarkChain', 'conditionsV4', 'conditionsV6', 'backend'];

describe('portmap config (property-based)', () => {
  it('any config near a valid one: a config or one clean refusal', () => {
    fc.assert(fc.property(nearConfig(VALID, EXTRA), (conf) => expectCleanParse(conf, parseConfig)), { seed: 13, numRuns: 1000 });
  });

  it('through the dispatcher: one clean answer for any env and stdin', async () => {
    await checkDispatch(parsingPlugin('portmap', (ctx) => parseConfig(ctx.config)), VALID, EXTRA);
  });
});
