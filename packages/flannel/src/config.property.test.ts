import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkDispatch, expectCleanParse, expectCleanRefusal, nearConfig, parsingPlugin } from '@cni-ts/core/testing/properties';
import { parseFlannelConf } from './config.ts';
import { parseSubnetEnv } from './subnet-env.ts';

const VALID = {
  cniVersion: '1.1.0', name: 'cbr0', type: 'flannel', subnetFile: '/run/flannel/subnet.env', dataDir: '/var/lib/cni/flannel',
  delegate: { hairpinMode: true, isDefaultGateway: true, mtu: 1450 }, ipam: { type: 'host-local', dataDir: '/tmp/x', routes: [{ dst: '10.0.0.0/8' }] },
  runtimeConfig: { portMappings: [] },
};
const ENV_LINES = ['FLANNEL_NETWORK=10.244.0.0/16', 'FLANNEL_SUBNET=10.244.1.1/24', 'FLANNEL_IPV6_NETWORK=fd10:244::/48', 'FLANNEL_IPV6_SUBNET=fd10:244:0:1::1/64', 'FLANNEL_MTU=1450', 'FLANNEL_IPMASQ=true', 'FLANNEL_IPV6_MASQ=false'];

describe('flannel config (property-based)', () => {
  it('any config near a valid one: a config or one clean refusal', () => {
    fc.assert(fc.property(nearConfig(VALID, ['delegate', 'ipam']), (conf) => expectCleanParse(conf, parseFlannelConf)), { seed: 13, numRuns: 1000 });
  });

  it('any subnet.env text: a lease or one clean refusal', () => {
    const line = fc.oneof(fc.constantFrom(...ENV_LINES), fc.constantFrom('FLANNEL_MTU=0', 'FLANNEL_MTU=x', 'FLANNEL_SUBNET=10.244.1.1/33', 'FLANNEL_NETWORK=', '=', '#x', 'export FLANNEL_MTU=1', 'FLANNEL_IPMASQ=maybe'), fc.string());
    const text = fc.oneof(fc.array(line, { maxLength: 10 }).map((l) => l.join('\n')), fc.string());
    fc.assert(fc.property(text, (t) => expectCleanRefusal(() => parseSubnetEnv(t, '/run/flannel/subnet.env'))), { seed: 13, numRuns: 1000 });
  });

  it('through the dispatcher: one clean answer for any env and stdin', async () => {
    await checkDispatch(parsingPlugin('flannel', (ctx) => parseFlannelConf(ctx.config)), VALID, ['delegate', 'ipam']);
  });
});
