import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PodmanLab } from './lib/lab.ts';
import { bridgeNetwork, type NetworkUnderTest } from './lib/networks.ts';

/**
 * podman runs VERSION (stdin `{"cniVersion":"1.0.0"}`, CNI_PATH=dummy, no container id) on every
 * plugin of every conflist each time it loads networks, and silently drops a network whose probe
 * fails. A network listed and usable therefore proves every plugin in it answered the probe.
 */
describe('podman VERSION probe', () => {
  let lab: PodmanLab;
  const nets: Record<string, NetworkUnderTest> = {};
  let broken: string;

  beforeAll(() => {
    lab = new PodmanLab('pv');
    nets['0.4.0'] = bridgeNetwork(lab, { cniVersion: '0.4.0', octet: 40, suffix: 'v04' });
    nets['1.0.0'] = bridgeNetwork(lab, { cniVersion: '1.0.0', octet: 41, suffix: 'v10' });
    // Control: a plugin that is not in the plugin dir fails the probe, so this one must vanish.
    broken = `${lab.prefix}-broken`;
    lab.writeConflist(broken, { cniVersion: '1.0.0', name: broken, plugins: [{ type: `${lab.prefix}-absent` }] });
  });
  afterAll(() => lab?.cleanup());

  it('lists the 0.4.0 and 1.0.0 conflists and drops the one whose plugin cannot answer', () => {
    const listed = lab.mustPodman(['network', 'ls', '--format', '{{.Name}}']).split('\n');
    expect(listed).toContain(nets['0.4.0']!.name);
    expect(listed).toContain(nets['1.0.0']!.name);
    expect(listed).not.toContain(broken);
  });

  it.each(['0.4.0', '1.0.0'])('runs a container on the %s conflist with an address from its range', (version) => {
    const net = nets[version]!;
    const r = lab.runOnce(`${lab.prefix}-on${version.replace(/\./g, '')}`, net.name, ['ip', '-4', '-o', 'addr', 'show', 'eth0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`inet ${net.subnet24}.`);
  });
});
