import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cnictlIn, DIST_BIN, REFERENCE_BIN } from '../lib/exec.ts';
import { Workspace } from '../lib/workspace.ts';
import { addresses, veths } from './helpers.ts';

// cnictl driving our executables from dist/bin (bridge + host-local + portmap at CNI 1.1.0, so
// GC and STATUS reach the plugins), and a chain that mixes ours with the reference plugins.
// Plugins' stderr passes through cnictl (diagnostics are allowed there), so only exit codes count.
let ns: NetnsFixture;
let ws: Workspace;
let node: string;
let pods: string[];

beforeEach(() => {
  ns = new NetnsFixture('co');
  ws = new Workspace('cnictl-e2e-');
  node = ns.path(ns.create('node'));
  pods = [ns.path(ns.create('pod1')), ns.path(ns.create('pod2'))];
});
afterEach(() => {
  ns.cleanup();
  ws.remove();
});

const list = (versions: { cniVersion?: string; cniVersions?: string[] }) => ({
  ...versions,
  name: 'ours',
  plugins: [
    {
      type: 'bridge',
      bridge: `${ns.prefix.slice(0, 11)}br`,
      isGateway: true,
      ipMasq: true,
      ipam: { type: 'host-local', ranges: [[{ subnet: '10.78.0.0/24' }]], dataDir: ws.dataDir },
    },
    { type: 'portmap', capabilities: { portMappings: true } },
  ],
});
const run = (cniPath: string, ...args: string[]) => ws.cnictl(node, args, cniPath);
const reserved = (): string[] => readdirSync(join(ws.dataDir, 'ours')).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f));
const portMappings = JSON.stringify({ portMappings: [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }] });

describe('cnictl with our plugins', () => {
  // The second list is how a list serves old and new runtimes at once: libcni ≥ 1.2 picks 1.1.0
  // from cniVersions (and so does cnictl), an older one reads cniVersion.
  for (const versions of [{ cniVersion: '1.1.0' }, { cniVersion: '0.3.1', cniVersions: ['0.3.1', '1.1.0'] }]) {
    it(`add, check, status, gc and del at CNI 1.1.0, from ${JSON.stringify(versions)}`, () => {
      ws.writeList('10-ours.conflist', list(versions));
      for (const [i, pod] of pods.entries()) {
        const add = run(DIST_BIN, 'add', 'ours', pod, '--container-id', `c${i}`, '--cap-args', portMappings);
        expect(add.code, add.stderr).toBe(0);
        const result = JSON.parse(add.stdout) as { cniVersion: string; ips: Array<{ address: string }> };
        expect(result.cniVersion).toBe('1.1.0');
        expect(addresses(pod, 'eth0')).toEqual([result.ips[0]!.address]);
      }
      expect(veths(node)).toHaveLength(2);
      const check = run(DIST_BIN, 'check', 'ours', pods[0]!, '--container-id', 'c0');
      expect(check.code, check.stderr).toBe(0);
      expect(run(DIST_BIN, 'status', 'ours')).toMatchObject({ code: 0, stdout: expect.stringContaining('every plugin is ready') });

      const gc = run(DIST_BIN, 'gc', 'ours', '--valid-attachments', JSON.stringify([{ containerID: 'c0', ifname: 'eth0' }]));
      expect(gc.code, gc.stderr).toBe(0);
      expect(addresses(pods[1]!, 'eth0')).toEqual([]);
      expect(reserved()).toHaveLength(1);
      expect(veths(node)).toHaveLength(1);

      expect(run(DIST_BIN, 'del', 'ours', pods[0]!, '--container-id', 'c0').code).toBe(0);
      expect(veths(node)).toEqual([]);
      expect(reserved()).toEqual([]);
      expect(readdirSync(join(ws.cacheDir, 'results'))).toEqual([]);
    });
  }

  it('mixes with the reference plugins in one chain (our bridge and host-local, their portmap)', () => {
    ws.writeList('10-ours.conflist', list({ cniVersion: '1.0.0' }));
    // bridge and host-local from dist/bin, portmap from the reference: CNI_PATH order decides
    const mixed = join(ws.root, 'mixed');
    expect(cnictlIn(undefined, ['install', '--dir', mixed, 'bridge', 'host-local']).code).toBe(0);
    const path = `${mixed}:${REFERENCE_BIN}`;
    const add = run(path, 'add', 'ours', pods[0]!, '--cap-args', portMappings);
    expect(add.code, add.stderr).toBe(0);
    expect(addresses(pods[0]!, 'eth0')).toHaveLength(1);
    expect(run(path, 'del', 'ours', pods[0]!).code).toBe(0);
    expect(veths(node)).toEqual([]);
    expect(reserved()).toEqual([]);
  });
});
