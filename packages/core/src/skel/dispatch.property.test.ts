import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parseCniArgs } from '../args.ts';
import { expectCleanRefusal, checkDispatch, nearConfig, parsingPlugin } from '../testing/properties.ts';
import { parseResult } from '../version/convert.ts';
import { parseStdinConfig } from './stdin-config.ts';

const RESULT = {
  cniVersion: '1.1.0',
  interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', sandbox: '/run/netns/x' }],
  ips: [{ address: '10.0.0.5/24', gateway: '10.0.0.1', interface: 0 }],
  routes: [{ dst: '0.0.0.0/0', gw: '10.0.0.1' }],
  dns: { nameservers: ['10.0.0.1'] },
};
const CONF = { cniVersion: '1.1.0', name: 'net', type: 'x', prevResult: RESULT };

describe('dispatcher (property-based)', () => {
  it('any env and stdin: success or exactly one error object with a spec code, no stack trace', async () => {
    await checkDispatch(parsingPlugin('x', () => undefined), CONF, ['cni.dev/valid-attachments', 'cni.dev/attachments'], 500);
  });

  it('stdin configs: a config or a clean refusal, for any text', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), nearConfig(CONF).map((c) => JSON.stringify(c))), (text) => expectCleanRefusal(() => parseStdinConfig(text))), { seed: 13, numRuns: 500 });
  });

  it('prevResult of every version: a result or a clean refusal', () => {
    const versions = fc.constantFrom('0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0', '9.9.9', '');
    fc.assert(fc.property(nearConfig(RESULT), versions, (r, v) => expectCleanRefusal(() => parseResult(r, v))), { seed: 13, numRuns: 500 });
  });

  it('CNI_ARGS: any text gives the known keys or a clean refusal', () => {
    fc.assert(fc.property(fc.string(), (raw) => expectCleanRefusal(() => parseCniArgs(raw, ['IP', 'MAC']))), { seed: 13, numRuns: 500 });
  });
});
