import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { expect } from 'vitest';
import { inNetns, type ProcessOutput } from '../lib/exec.ts';
import { Workspace } from '../lib/workspace.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** What ADD answers: only the addresses are read here. */
export interface AddResult {
  ips: Array<{ address: string }>;
  [key: string]: unknown;
}

/**
 * One simulated node: a node namespace that runs the chain bridge + host-local + portmap from
 * dist/bin through cnictl (its bridge, veths, rules and conntrack entries stay in the test's own
 * namespaces), two pod namespaces, a private workspace and the servers started in the pods.
 * cleanup() removes all of it.
 */
export class PortmapNode {
  readonly ns: NetnsFixture;
  readonly ws = new Workspace('portmap-e2e-');
  readonly servers = new Servers();
  readonly node: string;
  readonly podA: string;
  readonly podB: string;
  /** The node's bridge, unique to this test. */
  readonly bridge: string;

  constructor(prefix: string, readonly network: string) {
    this.ns = new NetnsFixture(prefix);
    this.node = this.ns.path(this.ns.create('node'));
    this.podA = this.ns.path(this.ns.create('a'));
    this.podB = this.ns.path(this.ns.create('b'));
    this.bridge = `${this.ns.prefix.slice(0, 11)}br`;
  }

  /** The node's conflist: a gateway bridge with hairpin mode, host-local `ranges`, then portmap. */
  writeList(cniVersion: string, ranges: unknown[], portmapKeys: Record<string, unknown> = {}): void {
    this.ws.writeList(`10-${this.network}.conflist`, {
      cniVersion,
      name: this.network,
      plugins: [
        { type: 'bridge', bridge: this.bridge, isGateway: true, hairpinMode: true, ipam: { type: 'host-local', ranges, dataDir: this.ws.dataDir } },
        { type: 'portmap', capabilities: { portMappings: true }, ...portmapKeys },
      ],
    });
  }

  /** cnictl in the node namespace on the workspace's conflist; `args` follow the verb. */
  cnictl(verb: string, pod: string, ...args: string[]): ProcessOutput {
    return this.ws.cnictl(this.node, [verb, this.network, pod, ...args], undefined, 10_000);
  }

  /** ADD of a pod with these portMappings, which must succeed. */
  add(pod: string, id: string, mappings: unknown[]): AddResult {
    const r = this.cnictl('add', pod, '--container-id', id, '--cap-args', JSON.stringify({ portMappings: mappings }));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return JSON.parse(r.stdout) as AddResult;
  }

  del(pod: string, id: string): ProcessOutput {
    return this.cnictl('del', pod, '--container-id', id);
  }

  cleanup(): void {
    this.servers.stop();
    this.ns.cleanup(); // takes the bridge, veths, rules and conntrack entries with the namespaces
    this.ws.remove();
  }
}

/** Servers started in pod namespaces; stop() kills exactly the processes this test started. */
export class Servers {
  private readonly children: ChildProcess[] = [];

  private start(netns: string, argv: string[]): ChildProcess {
    const child = spawn('nsenter', [`--net=${netns}`, '--', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    return child;
  }

  /** busybox httpd answering `body` on `port`; resolves once a request from inside the pod succeeds. */
  async http(netns: string, port: number, body: string, root: string): Promise<void> {
    const dir = join(root, `www-${port}-${body}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.html'), body);
    this.start(netns, ['busybox', 'httpd', '-f', '-p', String(port), '-h', dir]);
    for (let i = 0; i < 50; i++) {
      if (httpGet(netns, `http://127.0.0.1:${port}/`) === body) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`httpd on port ${port} did not come up`);
  }

  /** A UDP echo server answering "<reply>:<message>"; resolves when it is bound. */
  udp(netns: string, port: number, reply: string, type: 'udp4' | 'udp6' = 'udp4'): Promise<void> {
    const child = this.start(netns, [process.execPath, join(FIXTURES, 'udp-echo.mjs'), String(port), reply, type]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`udp server on ${port} did not come up`)), 5000);
      child.stdout!.on('data', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  stop(): void {
    for (const child of this.children.splice(0)) if (child.pid && child.exitCode === null) child.kill('SIGKILL');
  }
}

/** GET a URL from inside a namespace; '' when nothing answered within 3 s. */
export function httpGet(netns: string, url: string): string {
  // timeout(1) bounds the wait: busybox-static's own `wget -T` crashes.
  const r = inNetns(netns, ['timeout', '3', 'busybox', 'wget', '-q', '-O', '-', url], { timeoutMs: 6000 });
  return r.code === 0 ? r.stdout : '';
}

/** Send one UDP datagram from a namespace; the answer, or '' after 2 s. */
export function udpAsk(netns: string, host: string, port: number, message: string): string {
  return inNetns(netns, [process.execPath, join(FIXTURES, 'udp-ask.mjs'), host, String(port), message], { timeoutMs: 8000 }).stdout;
}

/** What `tool` (iptables-save or ip6tables-save) prints in a namespace, without its comment lines and counters. */
export function savedRules(netns: string, tool: string, ...args: string[]): string {
  return inNetns(netns, [tool, ...args])
    .stdout.split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/g, '[0:0]'))
    .join('\n');
}

/** The whole firewall state of a namespace, minus what changes by itself (counters, dates). */
export function ruleset(netns: string): string {
  const nft = inNetns(netns, ['nft', 'list', 'ruleset']).stdout.replace(/counter packets \d+ bytes \d+/g, 'counter');
  return [savedRules(netns, 'iptables-save'), savedRules(netns, 'ip6tables-save'), nft].join('\n---\n');
}

/** UDP conntrack entries in a namespace whose original destination port is `port`. */
export function udpConntrack(netns: string, port: number): number {
  const r = inNetns(netns, ['conntrack', '-L', '-p', 'udp', '--orig-port-dst', String(port)]);
  return r.stdout.split('\n').filter((l) => l.includes(`dport=${port}`)).length;
}
