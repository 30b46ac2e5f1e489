import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { out } from '../cli/output.ts';
import { LabHost, netnsPath } from './host.ts';
import { labDown } from './down.ts';
import { parseLabOptions } from './options.ts';
import { formatStatus, podViews } from './status.ts';
import { labUp } from './up.ts';
import type { LabState, PodState } from './state.ts';

/**
 * The flannel story in one run: two nodes, two pods on the first and one on the second; a ping
 * within a node (TTL 64: the bridge forwards, nothing routes) and across nodes (TTL 62: routed by
 * both nodes, through cni0 and flannel.1); a hostPort on one node reaching its pod from the
 * other node; then everything removed and checked gone. Returns how many of those checks failed.
 */
export async function labDemo(where: { binDir?: string; cniPath?: string } = {}): Promise<number> {
  const prefix = `ctsdemo${randomBytes(2).toString('hex')}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'cni-ts-lab-'));
  rmSync(stateDir, { recursive: true });
  const o = parseLabOptions([
    ...['--nodes', '2', '--pods-per-node', '2,1', '--prefix', prefix, '--state-dir', stateDir],
    ...(where.binDir ? ['--bin-dir', where.binDir] : []),
    ...(where.cniPath ? ['--cni-path', where.cniPath] : []),
  ]);
  const host = new LabHost();
  let failures = 0;
  out(`== flannel lab: 2 nodes (VXLAN VNI 1, port 8472), pods attached by ${o.binDir}/flannel -> bridge + host-local, then portmap`);
  try {
    const state = await labUp({ ...o, say: (l) => out(`   ${l}`) }, host);
    out(`\n${formatStatus(state, await podViews(state, host))}`);
    const [a, b, c] = state.pods as [PodState, PodState, PodState];
    if (!(await showPing(host, a, b, 'same node', 64))) failures++;
    if (!(await showPing(host, a, c, 'across nodes', 62))) failures++;
    if (!(await showHostPort(host, state))) failures++;
  } catch (e) {
    out(`lab failed: ${(e as Error).message}`);
    failures++;
  } finally {
    out('\n== lab down');
    const problems = await labDown(stateDir, (l) => out(`   ${l}`), host);
    for (const p of problems) out(`   could not remove: ${p}`);
    const left = (await host.listNetns()).filter((n) => n.startsWith(`${prefix}-`));
    const clean = left.length === 0 && !existsSync(stateDir);
    if (!clean) failures++;
    out(clean ? '   nothing left: no lab namespaces, no state dir' : `   LEFT BEHIND: ${left.join(' ')} ${stateDir}`);
  }
  return failures;
}

const ipv4 = (pod: PodState): string => pod.ips.find((ip) => !ip.includes(':'))!.split('/')[0]!;

async function showPing(host: LabHost, from: PodState, to: PodState, what: string, expectedTtl: number): Promise<boolean> {
  const r = await host.tryIn(from.netns, ['ping', '-c', '1', '-W', '2', ipv4(to)]);
  const ttl = /ttl=(\d+)/.exec(r.stdout)?.[1];
  const verdict = ttl === undefined ? 'NO REPLY' : Number(ttl) === expectedTtl ? 'as expected' : `expected ${expectedTtl}`;
  out(`ping ${what}: ${from.name} -> ${to.name} (${ipv4(to)}): ${ttl ? `reply ttl=${ttl}` : r.stdout.trim().split('\n').pop()} (${verdict})`);
  return verdict === 'as expected';
}

/** busybox httpd in the pod; a GET from the other node to this node's underlay address:hostPort. */
async function showHostPort(host: LabHost, state: LabState): Promise<boolean> {
  const pod = state.pods.find((p) => p.hostPort);
  if (!pod) {
    out('hostPort: skipped (no working portmap in CNI_PATH, so the conflist chains flannel alone)');
    return true;
  }
  const node = state.plan.nodes.find((n) => n.name === pod.node)!;
  const other = state.plan.nodes.find((n) => n !== node)!;
  const www = mkdtempSync(join(tmpdir(), 'cni-ts-lab-www-'));
  writeFileSync(join(www, 'index.html'), `hello from ${pod.name}\n`);
  const httpd = spawn('nsenter', [`--net=${netnsPath(pod.netns)}`, '--', 'busybox', 'httpd', '-f', '-p', '80', '-h', www], { stdio: 'ignore' });
  try {
    const url = `http://${node.underlay4}:${pod.hostPort}/`;
    let body = '';
    for (let i = 0; i < 20 && !body; i++) {
      // busybox nc speaks the request (busybox's static wget crashes on some hosts).
      const r = await host.tryIn(other.netns, ['busybox', 'nc', '-w', '2', node.underlay4, String(pod.hostPort)], 'GET / HTTP/1.0\r\n\r\n');
      if (r.code === 0 && r.stdout.includes('200 OK')) body = r.stdout.trim().split('\n').pop()!.trim();
      else await new Promise((res) => setTimeout(res, 100));
    }
    out(`hostPort: from ${other.name}, GET ${url} -> ${body ? `"${body}"` : 'NO ANSWER'}`);
    return body === `hello from ${pod.name}`;
  } finally {
    if (httpd.pid) process.kill(httpd.pid);
    rmSync(www, { recursive: true, force: true });
  }
}
