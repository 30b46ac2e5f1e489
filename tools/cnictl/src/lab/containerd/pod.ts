import { join } from 'node:path';
import type { CriClient, PodSandboxConfig } from '../../cri/client.ts';
import { BUSYBOX_IMAGE } from './images.ts';

export interface PodSpec {
  name: string;
  /** Kubernetes namespace of the pod (K8S_POD_NAMESPACE). */
  namespace?: string;
  /** hostPort -> containerPort 80 (TCP), as a pod's `ports[].hostPort` reaches the runtime. */
  hostPort?: number;
  labels?: Record<string, string>;
}

export interface RunningPod {
  name: string;
  sandboxId: string;
  containerId: string;
  /** The IPs the runtime reports (PodSandboxStatus): the first, then the others. */
  ips: string[];
  config: PodSandboxConfig;
}

/** The sandbox config the kubelet sends for a pod on the pod network (hostname = pod name). */
export function sandboxConfig(spec: PodSpec, logRoot: string): PodSandboxConfig {
  const namespace = spec.namespace ?? 'default';
  return {
    metadata: { name: spec.name, namespace, uid: `uid-${spec.name}`, attempt: 0 },
    hostname: spec.name,
    logDirectory: join(logRoot, spec.name),
    portMappings: spec.hostPort ? [{ protocol: 'TCP', containerPort: 80, hostPort: spec.hostPort }] : [],
    labels: { 'io.kubernetes.pod.name': spec.name, 'io.kubernetes.pod.namespace': namespace, ...spec.labels },
    linux: {},
  };
}

/** The page a pod's httpd serves: it names the pod, so a fetch proves which pod answered. */
export const servedBy = (pod: string): string => `served by ${pod}\n`;

/**
 * Run a pod as the kubelet does: RunPodSandbox (where the runtime runs the CNI chain), then one
 * busybox container in it serving servedBy(name) over HTTP on port 80.
 */
export async function runPod(cri: CriClient, spec: PodSpec, logRoot: string): Promise<RunningPod> {
  // The name is written into the container's shell command below: a DNS label, nothing else.
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(spec.name)) throw new Error(`pod name "${spec.name}" is not a DNS label`);
  const config = sandboxConfig(spec, logRoot);
  const sandboxId = await cri.runPodSandbox(config);
  const status = await cri.podSandboxStatus(sandboxId);
  const ips = [status.network?.ip, ...(status.network?.additionalIps ?? []).map((a) => a.ip)].filter((ip): ip is string => Boolean(ip));
  const page = servedBy(spec.name).trimEnd();
  const containerId = await cri.startContainer(sandboxId, config, {
    metadata: { name: 'httpd' },
    image: { image: BUSYBOX_IMAGE },
    command: ['/bin/sh', '-c', `mkdir -p /www && echo "${page}" > /www/index.html && exec httpd -f -p 80 -h /www`],
    logPath: 'httpd.log',
  });
  return { name: spec.name, sandboxId, containerId, ips, config };
}

/** StopPodSandbox (CNI DEL with the netns), then RemovePodSandbox (DEL again, netns empty). */
export async function removePod(cri: CriClient, sandboxId: string): Promise<void> {
  await cri.stopPodSandbox(sandboxId);
  await cri.removePodSandbox(sandboxId);
}
