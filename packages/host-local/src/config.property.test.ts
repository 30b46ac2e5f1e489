import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { NetConf } from '@cni-ts/core';
import { checkDispatch, expectCleanParse, nearConfig, parsingPlugin } from '@cni-ts/core/testing/properties';
import { parseIpamConfig, parseStoreLocation, requestedIPs } from './config.ts';

const VALID = {
  cniVersion: '1.1.0', name: 'net', type: 'bridge',
  ipam: {
    type: 'host-local', dataDir: '/var/lib/cni/networks',
    ranges: [[{ subnet: '10.0.0.0/24', rangeStart: '10.0.0.10', rangeEnd: '10.0.0.20', gateway: '10.0.0.1' }], [{ subnet: 'fd00::/64' }]],
    routes: [{ dst: '0.0.0.0/0' }, { dst: '192.168.0.0/16', gw: '10.0.0.1' }], resolvConf: '/nonexistent/resolv.conf',
  },
  args: { cni: { ips: ['10.0.0.15'] } },
  runtimeConfig: { ips: ['10.0.0.16/24'], ipRanges: [[{ subnet: '10.1.0.0/24' }]] },
};
const EXTRA = ['subnet', 'rangeStart', 'rangeEnd', 'gateway'];
/** All of host-local's parsing, as ADD does it before touching the store. */
const parseAll = (conf: NetConf, cniArgs: string): void => {
  parseStoreLocation(conf);
  parseIpamConfig(conf);
  requestedIPs({ config: conf, cniArgs });
};

describe('host-local config (property-based)', () => {
  it('any config near a valid one, any CNI_ARGS: a config or one clean refusal', () => {
    const cniArgs = fc.oneof(fc.constantFrom('', 'IP=10.0.0.12', 'IP=10.0.0.12,fd00::12', 'IP=x', 'IP=10.0.0.12;IP=10.0.0.13', ';;;'), fc.string());
    fc.assert(fc.property(nearConfig(VALID, EXTRA), cniArgs, (conf, args) => expectCleanParse(conf, (c) => parseAll(c, args))), { seed: 13, numRuns: 1000 });
  });

  it('through the dispatcher: one clean answer for any env and stdin', async () => {
    await checkDispatch(parsingPlugin('host-local', (ctx) => parseAll(ctx.config, ctx.cniArgs)), VALID, EXTRA);
  });
});
