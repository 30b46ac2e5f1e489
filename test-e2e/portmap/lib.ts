import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST_BIN, type PluginOutput, type ProcessOutput } from '../lib/exec.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** Run a command inside a namespace (by path), bounded by `timeoutMs`. */
export function inNs(netns: string, argv: string[], options: { input?: string; timeoutMs?: number } = {}): ProcessOutput {
  const r = spawnSync('nsenter', [`--net=${netns}`, '--', ...argv], { encoding: 'utf8', input: options.input, timeout: options.timeoutMs ?? 10_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** A private directory tree for one test: conflists, libcni cache, IPAM data, web roots. */
export class Workspace {
  readonly root = mkdtempSync(join(tmpdir(), 'portmap-e2e-'));
  readonly confDir = join(this.root, 'net.d');
  readonly cacheDir = join(this.root, 'cache');
  readonly dataDir = join(this.root, 'ipam');

  constructor() {
    mkdirSync(this.confDir);
  }

  writeList(list: { name: string; [key: string]: unknown }): void {
    writeFileSync(join(this.confDir, `10-${list.name}.conflist`), JSON.stringify(list));
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** cnictl inside the node namespace, with our plugins and the workspace's private dirs. */
export function cnictl(node: string, ws: Workspace, args: string[]): ProcessOutput {
  return inNs(node, [join(DIST_BIN, 'cnictl'), ...args, '--conf-dir', ws.confDir, '--cache-dir', ws.cacheDir, '--cni-path', DIST_BIN]);
}

/** Exec one plugin binary inside the node namespace as a runtime would. */
export function pluginIn(node: string, binary: string, env: Record<string, string>, config: unknown): PluginOutput {
  const r = spawnSync('nsenter', [`--net=${node}`, '--', binary], {
    encoding: 'utf8',
    input: JSON.stringify(config),
    timeout: 20_000,
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', CNI_PATH: DIST_BIN, CNI_IFNAME: 'eth0', CNI_NETNS: '', ...env },
  });
  const stdout = r.stdout ?? '';
  return { code: r.status ?? -1, stdout, stderr: r.stderr ?? '', json: stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : undefined };
}

/** pluginIn, without blocking: for calls that must run at the same time. */
export function pluginInAsync(node: string, binary: string, env: Record<string, string>, config: unknown): Promise<ProcessOutput> {
  return new Promise((resolve) => {
    const child = spawn('nsenter', [`--net=${node}`, '--', binary], {
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', CNI_PATH: DIST_BIN, CNI_IFNAME: 'eth0', CNI_NETNS: '', ...env },
      timeout: 20_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(JSON.stringify(config));
  });
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
  const r = inNs(netns, ['timeout', '3', 'busybox', 'wget', '-q', '-O', '-', url], { timeoutMs: 6000 });
  return r.code === 0 ? r.stdout : '';
}

/** Send one UDP datagram from a namespace; the answer, or '' after 2 s. */
export function udpAsk(netns: string, host: string, port: number, message: string): string {
  return inNs(netns, [process.execPath, join(FIXTURES, 'udp-ask.mjs'), host, String(port), message], { timeoutMs: 8000 }).stdout;
}

/** The whole firewall state of a namespace, minus what changes by itself (counters, dates). */
export function ruleset(netns: string): string {
  const save = (tool: string): string =>
    inNs(netns, [tool])
      .stdout.split('\n')
      .filter((l) => !l.startsWith('#'))
      .map((l) => l.replace(/\[\d+:\d+\]/g, '[0:0]'))
      .join('\n');
  const nft = inNs(netns, ['nft', 'list', 'ruleset']).stdout.replace(/counter packets \d+ bytes \d+/g, 'counter');
  return [save('iptables-save'), save('ip6tables-save'), nft].join('\n---\n');
}

/** UDP conntrack entries in a namespace whose original destination port is `port`. */
export function udpConntrack(netns: string, port: number): number {
  const r = inNs(netns, ['conntrack', '-L', '-p', 'udp', '--orig-port-dst', String(port)]);
  return r.stdout.split('\n').filter((l) => l.includes(`dport=${port}`)).length;
}
