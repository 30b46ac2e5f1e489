import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CriClient } from '../../tools/cnictl/src/cri/client.ts';
import { containerdPaths } from '../../tools/cnictl/src/lab/containerd/config.ts';
import { isOurContainerd } from '../../tools/cnictl/src/lab/containerd/daemon.ts';
import { servedBy } from '../../tools/cnictl/src/lab/containerd/pod.ts';
import { LAB_NETWORK } from '../../tools/cnictl/src/lab/plan.ts';
import { loadState, nodeDirs, type LabState, type PodState } from '../../tools/cnictl/src/lab/state.ts';
import { cnictlIn, inNetns } from '../lib/exec.ts';
import { httpBody } from '../podman/lib/http.ts';
import { run } from '../podman/lib/sh.ts';
import { firewallLinesMentioning, ipamReservations, nodeFirewall, nodeVeths, savedStateOf, type NodeHost } from '../podman/lib/node-state.ts';
import { cacheFilesOf } from './lib/state.ts';

/**
 * The kind-shaped cluster: `cnictl lab up --runtime containerd` (the Bun-compiled cnictl, so its
 * CRI client runs there) makes two nodes, each running its own containerd with kube-flannel's
 * 10-flannel.conflist, five pods (sandbox + busybox) each. The test then acts as the kubelet
 * and a user: commands in pods through CRI ExecSync, sandboxes removed through CRI.
 */
describe('cnictl lab up --runtime containerd: 2 nodes x 5 pods, each node its own containerd', () => {
  const prefix = `ctscr${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const stateDir = join(dir, 'lab');
  let state: LabState;
  const clients = new Map<string, CriClient>();
  const criOf = (node: string): CriClient => {
    if (!clients.has(node)) clients.set(node, new CriClient(containerdPaths(nodeDirs(stateDir, node).containerdDir).socket));
    return clients.get(node)!;
  };
  const nodeNetns = (node: string): string => `/run/netns/${state.plan.nodes.find((n) => n.name === node)!.netns}`;
  const nodeHost = (node: string): NodeHost => ({ inNode: (argv) => inNetns(nodeNetns(node), argv) });
  const pod = (name: string): PodState => state.pods.find((p) => p.name === name)!;

  const pingTtl = async (from: PodState, to: PodState): Promise<number | undefined> => {
    const r = await criOf(from.node).execSync(from.workload!, ['ping', '-c', '1', '-W', '3', to.ips[0]!], 10);
    const ttl = /ttl=(\d+)/.exec(r.stdout)?.[1];
    return ttl === undefined ? undefined : Number(ttl);
  };

  beforeAll(() => {
    const up = cnictlIn(undefined, ['lab', 'up', '--runtime', 'containerd', '--nodes', '2', '--pods-per-node', '5', '--prefix', prefix, '--state-dir', stateDir], 120_000);
    expect(up.code, up.stderr).toBe(0);
    state = loadState(stateDir)!;
  }, 180_000);

  afterAll(() => {
    for (const c of clients.values()) c.close();
    if (existsSync(stateDir)) cnictlIn(undefined, ['lab', 'down', '--state-dir', stateDir], 120_000);
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it('runs 5 ready sandboxes per node, each with a pod IP of its node subnet and a running busybox container', async () => {
    expect(state.daemons?.map((d) => d.node)).toEqual(['node1', 'node2']);
    for (const node of state.plan.nodes) {
      const sandboxes = await criOf(node.name).listPodSandbox();
      expect(sandboxes.filter((s) => s.state === 'SANDBOX_READY')).toHaveLength(5);
      const pods = state.pods.filter((p) => p.node === node.name);
      expect(pods.map((p) => p.containerId).sort()).toEqual(sandboxes.map((s) => s.id).sort());
      for (const p of pods) {
        expect(p.ips[0]!.startsWith(node.subnet4.replace(/\.0\/24$/, '.'))).toBe(true);
        expect((await criOf(node.name).execSync(p.workload!, ['true'])).exitCode).toBe(0);
      }
    }
  });

  it('pings within a node with TTL 64 (bridged) and across nodes with TTL 62 (routed by both nodes over flannel.1)', async () => {
    expect(await pingTtl(pod('node1-pod1'), pod('node1-pod5'))).toBe(64);
    expect(await pingTtl(pod('node2-pod2'), pod('node2-pod3'))).toBe(64);
    expect(await pingTtl(pod('node1-pod2'), pod('node2-pod4'))).toBe(62);
    expect(await pingTtl(pod('node2-pod5'), pod('node1-pod3'))).toBe(62);
  });

  it("reaches each node's hostPort from the other node", () => {
    for (const [target, from] of [['node1', 'node2'], ['node2', 'node1']] as const) {
      const published = state.pods.find((p) => p.node === target && p.hostPort)!;
      const address = state.plan.nodes.find((n) => n.name === target)!.underlay4;
      const r = inNetns(nodeNetns(from), ['busybox', 'nc', '-w', '3', address, String(published.hostPort)], { input: 'GET / HTTP/1.0\r\n\r\n' });
      expect(httpBody(r.stdout)).toBe(servedBy(published.name));
    }
  });

  it('removing every sandbox through the CRI leaves every node clean', async () => {
    for (const node of state.plan.nodes) {
      const cri = criOf(node.name);
      const pods = state.pods.filter((p) => p.node === node.name);
      for (const p of pods) {
        await cri.stopPodSandbox(p.containerId);
        await cri.removePodSandbox(p.containerId);
      }
      const d = nodeDirs(stateDir, node.name);
      const ids = pods.map((p) => p.containerId);
      expect({
        sandboxes: await cri.listPodSandbox(),
        reservations: [...ipamReservations(d.ipamDir, LAB_NETWORK).keys()],
        flannelSaved: savedStateOf(d.dataDir),
        veths: nodeVeths(nodeHost(node.name)).filter((l) => l !== 'eth0'), // eth0: the node's underlay cable
        firewall: firewallLinesMentioning(nodeFirewall(nodeHost(node.name)), [...pods.map((p) => p.ips[0]!), ...ids]),
        libcniCache: cacheFilesOf(ids),
      }).toEqual({ sandboxes: [], reservations: [], flannelSaved: [], veths: [], firewall: [], libcniCache: [] });
    }
  });

  it('`cnictl lab down` stops both containerds and removes the namespaces and the state dir', () => {
    const daemons = state.daemons!.map((d) => ({ pid: d.pid, paths: containerdPaths(nodeDirs(stateDir, d.node).containerdDir) }));
    expect(daemons.map((d) => isOurContainerd(d.pid, d.paths))).toEqual([true, true]);
    const down = cnictlIn(undefined, ['lab', 'down', '--state-dir', stateDir], 120_000);
    expect(down.code, down.stderr).toBe(0);
    expect(daemons.map((d) => isOurContainerd(d.pid, d.paths))).toEqual([false, false]);
    expect(existsSync(stateDir)).toBe(false);
    expect(run(['ip', 'netns', 'list']).stdout.split('\n').filter((l) => l.startsWith(prefix))).toEqual([]);
  });
});

