import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkDispatch, expectCleanParse, nearConfig, parsingPlugin } from '@cni-ts/core/testing/properties';
import { parseConfig } from './config.ts';

const VALID = {
  cniVersion: '1.1.0', name: 'net', type: 'bridge', bridge: 'cni0', isGateway: true, isDefaultGateway: false, forceAddress: false,
  ipMasq: true, ipMasqBackend: 'iptables', mtu: 1500, hairpinMode: false, promiscMode: false, vlan: 0, vlanTrunk: [{ id: 5 }, { minID: 10, maxID: 12 }],
  preserveDefaultVlan: false, macspoofchk: false, enabledad: false, portIsolation: false, disableContainerInterface: false,
  ipam: { type: 'host-local', ranges: [[{ subnet: '10.0.0.0/24' }]] }, dns: { nameservers: ['10.0.0.1'] },
  runtimeConfig: { mac: '02:00:00:00:00:01' }, args: { cni: { mac: '02:00:00:00:00:02' } },
};
const EXTRA = ['gateway', 'gatewayV6', 'vlanTrunk', 'mac', 'dataDir'];
const cniArgs = fc.oneof(fc.constantFrom('', 'MAC=02:00:00:00:00:03', 'MAC=00:00:00:00:00:00', 'MAC=01:00:5e:00:00:01', 'MAC=x', ';;;'), fc.string());

describe('bridge config (property-based)', () => {
  it('any config near a valid one, any CNI_ARGS: a config or one clean refusal', () => {
    fc.assert(fc.property(nearConfig(VALID, EXTRA), cniArgs, (conf, args) => expectCleanParse(conf, (c) => parseConfig(c, args))), { seed: 13, numRuns: 1000 });
  });

  it('through the dispatcher: one clean answer for any env and stdin', async () => {
    await checkDispatch(parsingPlugin('bridge', (ctx) => parseConfig(ctx.config, ctx.cniArgs)), VALID, EXTRA);
  });
});
