// A sample of the property tests' generated inputs through the executables (the in-process
// properties sit beside each parser as *.property.test.ts): each ADD answers cleanly, and a
// refused ADD leaves the node exactly as it was (no link, rule, reservation, saved config or
// temp file half-made).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyStdin, expectCleanAnswer } from '@cni-ts/core/testing/properties';
import { FaultNode, type ChainKind } from './node.ts';
import { ChainRuntime, type Attachment } from './runtime.ts';
import { leaks, takeSnapshot } from './snapshot.ts';

const SAMPLES = 25;

/** Keys that name places on the host: kept private to the node whatever the generator does. */
const PLACES = ['dataDir', 'subnetFile'] as const;

function pinPlaces(conf: Record<string, unknown>, valid: Record<string, unknown>): Record<string, unknown> {
  for (const key of PLACES) if (key in valid) conf[key] = valid[key];
  const ipam = valid.ipam as Record<string, unknown> | undefined;
  if (ipam?.dataDir !== undefined) conf.ipam = { ...(typeof conf.ipam === 'object' && conf.ipam !== null && !Array.isArray(conf.ipam) ? conf.ipam : {}), dataDir: ipam.dataDir };
  return conf;
}

const CASES: Array<{ plugin: string; chain: ChainKind; valid: (n: FaultNode, rt: ChainRuntime) => Record<string, unknown> }> = [
  { plugin: 'bridge', chain: 'bridge-masq', valid: (n, rt) => rt.conf(n.chain.plugins[0]!) },
  { plugin: 'host-local', chain: 'bridge-masq', valid: (n, rt) => rt.conf(n.chain.plugins[0]!) },
  {
    plugin: 'portmap',
    chain: 'portmap-iptables',
    valid: (n, rt) => rt.conf(n.chain.plugins[1]!, { cniVersion: '1.1.0', interfaces: [{ name: 'eth0', sandbox: '/run/netns/x' }], ips: [{ address: '10.99.0.50/24', interface: 0 }] }),
  },
  { plugin: 'flannel', chain: 'flannel-portmap', valid: (n, rt) => rt.conf(n.chain.plugins[0]!) },
];

describe.each(CASES)('$plugin executable, generated configs', ({ plugin, chain, valid }) => {
  it(`${SAMPLES} generated ADDs: one clean answer each; a refusal leaves nothing half-made`, async () => {
    const node = new FaultNode(chain);
    const rt = new ChainRuntime(node.node, node.chain);
    const conf = valid(node, rt);
    let refused = 0;
    try {
      const samples = fc.sample(anyStdin(conf), { numRuns: SAMPLES, seed: 13 });
      let before = takeSnapshot(node.places);
      for (const [i, raw] of samples.entries()) {
        let stdin = raw;
        try {
          const parsed = JSON.parse(raw) as unknown;
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) stdin = JSON.stringify(pinPlaces(parsed as Record<string, unknown>, conf));
        } catch {
          // not JSON: sent as it is
        }
        const a: Attachment = { containerId: `ctsfhprop${i}`, netns: node.pod(), ifName: 'eth0' };
        const r = await rt.exec(plugin, 'ADD', a, stdin);
        expectCleanAnswer({ stdout: r.stdout, stderr: r.stderr, exitCode: r.code });
        if (r.code !== 0) {
          refused++;
          expect([...leaks(before, takeSnapshot(node.places)).values()].flat(), `left by the refused ADD of ${stdin}: ${r.stdout}`).toEqual([]);
        } else {
          await rt.exec(plugin, 'DEL', a, stdin);
          before = takeSnapshot(node.places); // what an accepted config keeps by design (its bridge) is not a leak
        }
        node.dropPod(a.netns);
      }
      expect(refused).toBeGreaterThan(0);
    } finally {
      node.cleanup();
    }
  }, 120_000);
});
