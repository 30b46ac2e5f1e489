// The multi-node lab end to end: 3 nodes, 10 pods, attached through 10-flannel.conflist by the
// dist/bin executables; pods ping across nodes over VXLAN; DEL of every pod releases every IP and
// rule; `down` leaves nothing.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabHost, netnsPath } from '../../tools/cnictl/src/lab/host.ts';
import { labDown } from '../../tools/cnictl/src/lab/down.ts';
import { detachPod } from '../../tools/cnictl/src/lab/pods.ts';
import { HOST_PORT } from '../../tools/cnictl/src/lab/plan.ts';
import { nodeDirs, saveState, type LabState, type PodState } from '../../tools/cnictl/src/lab/state.ts';
import { labUp } from '../../tools/cnictl/src/lab/up.ts';
import { DIST_BIN, REFERENCE_BIN } from '../lib/exec.ts';

const host = new LabHost();
const work = mkdtempSync(join(tmpdir(), 'cni-ts-lab-e2e-'));

/** A CNI_PATH of our flannel with the Go reference delegates (bridge, host-local, portmap). */
function referenceDelegates(): string {
  const dir = join(work, 'reference-bin');
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(DIST_BIN, 'flannel'), join(dir, 'flannel'));
  for (const p of ['bridge', 'host-local', 'portmap']) symlinkSync(join(REFERENCE_BIN, p), join(dir, p));
  return dir;
}

/** Host links with the names the lab uses inside its namespaces (other tests' links are not ours to judge). */
const hostLabLinks = (): string[] =>
  (JSON.parse(execFileSync('ip', ['-json', 'link', 'show'], { encoding: 'utf8' })) as Array<{ ifname: string }>)
    .map((l) => l.ifname)
    .filter((n) => /^(node\d+|br0|cni0|flannel\.1|flannel-v6\.1)$/.test(n))
    .sort();
const labNetns = async (prefix: string): Promise<string[]> => (await host.listNetns()).filter((n) => n.startsWith(`${prefix}-`));
const addr = (pod: PodState, family: 4 | 6): string => pod.ips.find((ip) => ip.includes(':') === (family === 6))!.split('/')[0]!;

/** The reply's TTL; retried because a fresh IPv6 address is briefly tentative (DAD). */
async function pingTtl(from: PodState, to: string): Promise<number | undefined> {
  for (let i = 0; i < 30; i++) {
    const r = await host.tryIn(from.netns, ['ping', '-c', '1', '-W', '1', to]);
    const ttl = /ttl=(\d+)/.exec(r.stdout)?.[1];
    if (ttl) return Number(ttl);
    await new Promise((res) => setTimeout(res, 100));
  }
  return undefined;
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

const CASES = [
  ['our plugins', 'IPv4', false, () => DIST_BIN],
  ['our plugins', 'dual stack', true, () => DIST_BIN],
  ['our flannel + the reference delegates', 'IPv4', false, referenceDelegates],
] as const;

describe.each(CASES)('lab with %s, %s: 3 nodes, 10 pods', (_who, _stack, dualStack, cniPath) => {
  const prefix = `ctsl${randomBytes(3).toString('hex')}`;
  const stateDir = join(work, prefix);
  const linksBefore = hostLabLinks();
  let state: LabState;

  beforeAll(async () => {
    state = await labUp({ runtime: 'namespace', prefix, stateDir, podsPerNode: [4, 3, 3], dualStack, binDir: DIST_BIN, cnictl: join(DIST_BIN, 'cnictl'), cniPath: cniPath(), say: () => undefined });
  }, 180_000);

  afterAll(async () => {
    // Whatever a failed test left: down removes what the state recorded.
    if (existsSync(stateDir)) await labDown(stateDir, () => undefined);
  }, 120_000);

  it('gives every pod an address from its node subnet (both families for dual stack)', () => {
    expect(state.pods).toHaveLength(10);
    for (const pod of state.pods) {
      const node = state.plan.nodes.find((n) => n.name === pod.node)!;
      expect(pod.ips).toHaveLength(dualStack ? 2 : 1);
      expect(addr(pod, 4).startsWith(node.subnet4.replace('0/24', ''))).toBe(true);
      if (dualStack) expect(addr(pod, 6).startsWith(node.subnet6!.replace(':/64', ''))).toBe(true);
    }
  });

  it('pods reach pods on the same node (TTL 64) and on every other node (TTL 62, via flannel.1)', async () => {
    const families: Array<4 | 6> = dualStack ? [4, 6] : [4];
    for (const from of state.pods) {
      const targets = [
        ...state.plan.nodes.filter((n) => n.name !== from.node).map((n) => [state.pods.find((p) => p.node === n.name)!, 62] as const),
        [state.pods.find((p) => p.node === from.node && p !== from)!, 64] as const,
      ];
      for (const [to, ttl] of targets) {
        for (const f of families) expect(await pingTtl(from, addr(to, f)), `${from.name} -> ${to.name} IPv${f}`).toBe(ttl);
      }
    }
  }, 120_000);

  it('a hostPort on one node reaches its pod from another node', async (ctx) => {
    if (!state.portmap) ctx.skip();
    const pod = state.pods.find((p) => p.hostPort === HOST_PORT && p.node === 'node1')!;
    const www = join(work, `${prefix}-www`);
    mkdirSync(www);
    writeFileSync(join(www, 'index.html'), `hello from ${pod.name}\n`);
    const httpd = spawn('nsenter', [`--net=${netnsPath(pod.netns)}`, '--', 'busybox', 'httpd', '-f', '-p', '80', '-h', www], { stdio: 'ignore' });
    try {
      let body = '';
      for (let i = 0; i < 30 && !body.includes('hello'); i++) {
        const r = await host.tryIn(`${prefix}-node2`, ['busybox', 'nc', '-w', '2', state.plan.nodes[0]!.underlay4, String(HOST_PORT)], 'GET / HTTP/1.0\r\n\r\n');
        body = r.stdout;
        if (!body.includes('hello')) await new Promise((res) => setTimeout(res, 100));
      }
      expect(body).toContain(`hello from ${pod.name}`);
    } finally {
      httpd.kill();
    }
  });

  it('DEL of every pod empties every dataDir and removes every veth and hostPort rule', async () => {
    for (const pod of [...state.pods]) {
      await detachPod(host, state, pod);
      state.pods = state.pods.filter((p) => p !== pod);
      state.netns = state.netns.filter((n) => n !== pod.netns);
      saveState(state);
    }
    for (const node of state.plan.nodes) {
      const d = nodeDirs(stateDir, node.name);
      expect(existsSync(d.dataDir) ? readdirSync(d.dataDir) : [], `${node.name} flannel dataDir`).toEqual([]);
      const ipam = join(d.ipamDir, 'cbr0');
      const reserved = existsSync(ipam) ? readdirSync(ipam).filter((f) => f !== 'lock' && !f.startsWith('last_reserved_ip')) : [];
      expect(reserved, `${node.name} host-local reservations`).toEqual([]);
      const ports = JSON.parse(await host.in(node.netns, ['ip', '-json', 'link', 'show', 'master', 'cni0'])) as unknown[];
      expect(ports, `${node.name} cni0 ports`).toEqual([]);
      const nat = await host.in(node.netns, ['iptables-save', '-t', 'nat']);
      expect(nat).not.toMatch(/CNI-DN-|dnat name/);
      const nft = await host.in(node.netns, ['nft', 'list', 'ruleset']);
      expect(nft).not.toMatch(/dnat to 10\.244\./);
    }
  }, 120_000);

  it('lab down leaves no namespace, no state dir, and no lab link in the host', async () => {
    expect(await labDown(stateDir, () => undefined)).toEqual([]);
    expect(await labNetns(prefix)).toEqual([]);
    expect(existsSync(stateDir)).toBe(false);
    expect(hostLabLinks()).toEqual(linksBefore);
  }, 120_000);
});
