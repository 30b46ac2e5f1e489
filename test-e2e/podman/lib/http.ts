import type { PodmanLab } from './lab.ts';
import type { NodeHost } from './node-state.ts';

/** The body of an HTTP/1.0 response, or the whole text when it has no header block. */
export function httpBody(response: string): string {
  const at = response.indexOf('\r\n\r\n');
  return at < 0 ? response : response.slice(at + 4);
}

/**
 * GET / from inside a container. Busybox nc, not wget: Debian's static busybox wget crashes
 * (SIGSEGV) on these hosts, while nc speaks plain HTTP/1.0 fine.
 */
export function fetchFromContainer(lab: PodmanLab, container: string, host: string, port: number): string {
  const r = lab.exec(container, ['nc', '-w', '5', host, String(port)], 'GET / HTTP/1.0\r\n\r\n');
  return r.code === 0 ? httpBody(r.stdout) : `nc exited ${r.code}: ${r.stderr.trim()}`;
}

/** GET / from the node's namespace, as a client on the host would. */
export function fetchFromNode(lab: NodeHost, host: string, port: number): string {
  const r = lab.inNode(['curl', '-sS', '-m', '5', `http://${host}:${port}/`]);
  return r.code === 0 ? r.stdout : `curl exited ${r.code}: ${r.stderr.trim()}`;
}

export function pingFromContainer(lab: PodmanLab, container: string, ip: string): boolean {
  return lab.exec(container, ['ping', '-c', '1', '-W', '3', ip]).code === 0;
}
