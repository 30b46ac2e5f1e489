import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST_BIN, type ProcessOutput } from '../lib/exec.ts';

/** A private workspace: conf dir, cache dir, IPAM dataDir and a plugin dir with the tracer. */
export class Workspace {
  readonly root = mkdtempSync(join(tmpdir(), 'cnictl-e2e-'));
  readonly confDir = join(this.root, 'net.d');
  readonly cacheDir = join(this.root, 'cache');
  readonly dataDir = join(this.root, 'ipam');
  readonly pluginDir = join(this.root, 'plugins');
  readonly traceLog = join(this.root, 'trace.log');

  constructor() {
    mkdirSync(this.confDir);
    mkdirSync(this.pluginDir);
    copyFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures/tracer.mjs'), join(this.pluginDir, 'tracer'));
    spawnSync('chmod', ['+x', join(this.pluginDir, 'tracer')]);
  }

  writeList(file: string, list: unknown): void {
    writeFileSync(join(this.confDir, file), JSON.stringify(list));
  }

  tracer(tag: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { type: 'tracer', tag, logFile: this.traceLog, ...extra };
  }

  trace(): string[] {
    try {
      return readFileSync(this.traceLog, 'utf8').trim().split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }

  clearTrace(): void {
    rmSync(this.traceLog, { force: true });
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * Run dist/bin/cnictl, inside `nodeNetns` when given (so the bridge, the veths' host ends and
 * the firewall rules stay in the test's own namespace, never the host's).
 */
export function cnictlIn(nodeNetns: string | undefined, args: string[]): ProcessOutput {
  const bin = join(DIST_BIN, 'cnictl');
  const argv = nodeNetns ? ['nsenter', `--net=${nodeNetns}`, '--', bin, ...args] : [bin, ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: { ...process.env, NETCONFPATH: '', CNI_PATH: '', CNI_ARGS: '', CAP_ARGS: '' } });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Links of type veth in a namespace (by path), as names. */
export function veths(netnsPath: string): string[] {
  const r = spawnSync('nsenter', [`--net=${netnsPath}`, '--', 'ip', '-j', 'link', 'show', 'type', 'veth'], { encoding: 'utf8' });
  return (JSON.parse(r.stdout || '[]') as Array<{ ifname: string }>).map((l) => l.ifname);
}

/** IPv4 addresses (CIDR) of a link in a namespace; [] when the link is missing. */
export function addresses(netnsPath: string, ifName: string): string[] {
  const r = spawnSync('nsenter', [`--net=${netnsPath}`, '--', 'ip', '-j', '-4', 'addr', 'show', 'dev', ifName], { encoding: 'utf8' });
  if (r.status !== 0) return [];
  const links = JSON.parse(r.stdout || '[]') as Array<{ addr_info: Array<{ local: string; prefixlen: number }> }>;
  return links.flatMap((l) => l.addr_info.map((a) => `${a.local}/${a.prefixlen}`));
}
