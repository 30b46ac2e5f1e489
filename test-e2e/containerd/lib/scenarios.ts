import { afterAll, beforeAll, expect, it } from 'vitest';
import { removePod, runPod, sandboxConfig, servedBy, type RunningPod } from '../../../tools/cnictl/src/lab/containerd/pod.ts';
import { inSubnet, type NetworkHost, type NetworkUnderTest } from '../../podman/lib/networks.ts';
import { firewallLinesMentioning, ipamReservations, nodeFirewall, savedStateOf } from '../../podman/lib/node-state.ts';
import { CriNode, NODE_ADDRESS } from './node.ts';
import { cachedAttachment, leftovers, NOTHING_LEFT, podVeths } from './state.ts';
import { fetchFromNode, fetchFromPod, pingFromPod } from './traffic.ts';

const HOST_PORT = 18080;

export type MakeNetwork = (node: NetworkHost, cniVersion: string, cniVersions?: string[]) => NetworkUnderTest;

const ipOf = (attachment: { result: { ips?: { address: string }[] } } | undefined): string | undefined => attachment?.result.ips?.[0]?.address.split('/')[0];

/**
 * The kubelet's path for one conflist at one cniVersion, on one node running its own containerd:
 * two pods (sandbox + busybox httpd), one publishing a hostPort; addressing against libcni's
 * cache; traffic between pods, to the hostPort from the node and by hairpin; containerd stopped
 * (SIGTERM, then SIGKILL) under running pods and started again; Stop then Remove leaving nothing;
 * then 20 sandboxes in 4 parallel streams. The steps run in order on the same node.
 */
export function containerdLifecycle(label: string, cniVersion: string, makeNetwork: MakeNetwork): void {
  let node: CriNode;
  let net: NetworkUnderTest;
  let a: RunningPod;
  let b: RunningPod;
  const ip = (pod: RunningPod): string => pod.ips[0]!;

  beforeAll(async () => {
    node = new CriNode(label);
    net = makeNetwork(node, cniVersion);
    await node.start();
    a = await runPod(node.cri, { name: 'pod-a', hostPort: HOST_PORT }, node.paths.podLogs);
    b = await runPod(node.cri, { name: 'pod-b' }, node.paths.podLogs);
  });
  afterAll(() => node?.cleanup());

  it('RunPodSandbox: each sandbox has the IP of its CNI result (libcni cache), reserved for that sandbox', () => {
    for (const pod of [a, b]) {
      const cached = cachedAttachment(net.name, pod.sandboxId);
      expect(cached?.result.cniVersion).toBe(cniVersion);
      expect(ipOf(cached)).toBe(ip(pod));
      expect(inSubnet(net, ip(pod))).toBe(true);
    }
    expect(ip(a)).not.toBe(ip(b));
    expect(Object.fromEntries(ipamReservations(net.ipamDir, net.name))).toEqual({ [ip(a)]: a.sandboxId, [ip(b)]: b.sandboxId });
    if (net.stateDir) for (const pod of [a, b]) expect(savedStateOf(net.stateDir, pod.sandboxId)).toHaveLength(1);
  });

  it("accepts what containerd sends: capitalised portMappings keys and the kubelet's CNI_ARGS", () => {
    const cached = cachedAttachment(net.name, a.sandboxId)!;
    expect(cached.capabilityArgs?.portMappings).toEqual([{ HostPort: HOST_PORT, ContainerPort: 80, Protocol: 'tcp', HostIP: '' }]);
    expect(Object.fromEntries(cached.cniArgs ?? [])).toMatchObject({
      IgnoreUnknown: '1',
      K8S_POD_NAMESPACE: 'default',
      K8S_POD_NAME: 'pod-a',
      K8S_POD_INFRA_CONTAINER_ID: a.sandboxId,
      K8S_POD_UID: a.config.metadata.uid,
    });
    expect(firewallLinesMentioning(nodeFirewall(node), [ip(a)])).not.toEqual([]);
  });

  it('lets the pods ping each other and fetch HTTP from each other', async () => {
    expect(await pingFromPod(node, a, ip(b))).toBe(true);
    expect(await pingFromPod(node, b, ip(a))).toBe(true);
    expect(await fetchFromPod(node, a, ip(b), 80)).toBe(servedBy('pod-b'));
    expect(await fetchFromPod(node, b, ip(a), 80)).toBe(servedBy('pod-a'));
  });

  const reachesHostPort = async (): Promise<void> => {
    expect(fetchFromNode(node, '127.0.0.1', HOST_PORT)).toBe(servedBy('pod-a'));
    expect(fetchFromNode(node, NODE_ADDRESS, HOST_PORT)).toBe(servedBy('pod-a'));
    expect(await fetchFromPod(node, a, NODE_ADDRESS, HOST_PORT)).toBe(servedBy('pod-a'));
    expect(await fetchFromPod(node, b, NODE_ADDRESS, HOST_PORT)).toBe(servedBy('pod-a'));
  };

  it('reaches the hostPort from the node on 127.0.0.1 and on the node address, and by hairpin from the pod itself', reachesHostPort);

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`keeps the sandboxes, their IPs and the hostPort when containerd is stopped with ${signal} and started again`, async () => {
      const before = [ip(a), ip(b)];
      expect(await node.stop(signal)).toBe(signal === 'SIGTERM' ? 'terminated' : 'killed');
      await node.start();
      for (const [k, pod] of [a, b].entries()) {
        const status = await node.cri.podSandboxStatus(pod.sandboxId);
        expect(status.state).toBe('SANDBOX_READY');
        expect(status.network?.ip).toBe(before[k]);
      }
      await reachesHostPort();
      expect(await pingFromPod(node, b, ip(a))).toBe(true);
    });
  }

  it('StopPodSandbox releases the IPs and removes the veths and rules; RemovePodSandbox (DEL without netns) leaves nothing', async () => {
    const ids = [a.sandboxId, b.sandboxId];
    expect(podVeths(node)).toHaveLength(2);
    for (const id of ids) await node.cri.stopPodSandbox(id);
    const afterStop = leftovers(node, net, ids, [ip(a), ip(b)]);
    expect({ reservations: afterStop.reservations, veths: afterStop.veths, firewall: afterStop.firewall }).toEqual({ reservations: [], veths: [], firewall: [] });
    for (const id of ids) await node.cri.removePodSandbox(id);
    expect(leftovers(node, net, ids, [ip(a), ip(b)])).toEqual(NOTHING_LEFT);
    expect(fetchFromNode(node, '127.0.0.1', HOST_PORT)).toMatch(/^curl exited/);
  });

  it('creates and removes 20 sandboxes in 4 parallel streams, with hostPorts: no failure, distinct IPs, nothing left', async () => {
    const streams = [0, 1, 2, 3].map(async (s) => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const config = sandboxConfig({ name: `par-${s}-${i}`, hostPort: i === 0 ? HOST_PORT + 1 + s : undefined }, node.paths.podLogs);
        ids.push(await node.cri.runPodSandbox(config));
      }
      return ids;
    });
    const ids = (await Promise.all(streams)).flat();
    const ips = await Promise.all(ids.map(async (id) => (await node.cri.podSandboxStatus(id)).network!.ip));
    expect(new Set(ips).size).toBe(20);
    expect(ips.every((i) => inSubnet(net, i))).toBe(true);
    expect(ipamReservations(net.ipamDir, net.name).size).toBe(20);
    await Promise.all([0, 1, 2, 3].map(async (s) => {
      for (const id of ids.slice(s * 5, s * 5 + 5)) await removePod(node.cri, id);
    }));
    expect(leftovers(node, net, ids, ips)).toEqual(NOTHING_LEFT);
  });
}

/**
 * containerd 1.6 vendors libcni 1.1, which reads results up to cniVersion 1.0.0: a 1.1.0 list's
 * ADD succeeds in the plugins, then libcni cannot parse the result and RunPodSandbox fails; the
 * CRI then tears the attachment down. What must hold: the failure is clean, nothing is left.
 */
export function containerdRefusesNewerResults(label: string, makeNetwork: MakeNetwork): void {
  let node: CriNode;
  let net: NetworkUnderTest;
  beforeAll(async () => {
    node = new CriNode(label);
    net = makeNetwork(node, '1.1.0');
    await node.start();
  });
  afterAll(() => node?.cleanup());

  it('containerd 1.6 fails RunPodSandbox at cniVersion 1.1.0 (its libcni reads results up to 1.0.0), and nothing is left', async () => {
    const version = (await node.cri.version()).runtimeVersion;
    const run = node.cri.runPodSandbox(sandboxConfig({ name: 'pod-new', hostPort: HOST_PORT }, node.paths.podLogs));
    if (!version.startsWith('1.')) {
      // containerd 2 reads 1.1.0 results: then the sandbox must simply work.
      const id = await run;
      await removePod(node.cri, id);
    } else {
      await expect(run).rejects.toThrow(/unsupported CNI result version "1\.1\.0"/);
    }
    const ids = (await node.cri.listPodSandbox()).map((s) => s.id);
    expect(leftovers(node, net, ids, [])).toMatchObject({ reservations: [], veths: [], flannelSaved: [] });
    expect(firewallLinesMentioning(nodeFirewall(node), [`${net.subnet24}.2`])).toEqual([]);
  });

  it('the same list with cniVersion 0.3.1 and cniVersions [0.3.1, 1.1.0] (the README\'s advice) works: containerd 1.6 runs it at 0.3.1', async () => {
    net = makeNetwork(node, '0.3.1', ['0.3.1', '1.1.0']);
    await node.stop(); // loaded again at start-up, rather than racing containerd's conf dir watcher
    await node.start();
    const pod = await runPod(node.cri, { name: 'pod-both', hostPort: HOST_PORT }, node.paths.podLogs);
    const version = (await node.cri.version()).runtimeVersion;
    expect(cachedAttachment(net.name, pod.sandboxId)?.result.cniVersion).toBe(version.startsWith('1.') ? '0.3.1' : '1.1.0');
    expect(fetchFromNode(node, NODE_ADDRESS, HOST_PORT)).toBe(servedBy('pod-both'));
    await removePod(node.cri, pod.sandboxId);
    expect(leftovers(node, net, [pod.sandboxId], pod.ips)).toEqual(NOTHING_LEFT);
  });
}
