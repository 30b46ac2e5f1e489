import type { RunningPod } from '../../../tools/cnictl/src/lab/containerd/pod.ts';
import { httpBody } from '../../podman/lib/http.ts';
export { fetchFromNode } from '../../podman/lib/http.ts';
import type { CriNode } from './node.ts';

/** GET / from inside a pod's container (busybox nc: busybox-static's wget crashes on these hosts). */
export async function fetchFromPod(node: CriNode, pod: RunningPod, host: string, port: number): Promise<string> {
  const r = await node.cri.execSync(pod.containerId, ['sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${host} ${port}`], 15);
  return r.exitCode === 0 ? httpBody(r.stdout) : `nc exited ${r.exitCode}: ${r.stderr.trim()}`;
}

export async function pingFromPod(node: CriNode, pod: RunningPod, ip: string): Promise<boolean> {
  return (await node.cri.execSync(pod.containerId, ['ping', '-c', '1', '-W', '3', ip], 10)).exitCode === 0;
}
