import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inNetns } from '../lib/exec.ts';
import { Workspace } from '../lib/workspace.ts';

/** A workspace with a plugin dir holding the tracer: a plugin that logs every call it gets. */
export class TracerWorkspace extends Workspace {
  readonly pluginDir = join(this.root, 'plugins');
  readonly traceLog = join(this.root, 'trace.log');

  constructor() {
    super('cnictl-e2e-');
    mkdirSync(this.pluginDir);
    copyFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures/tracer.mjs'), join(this.pluginDir, 'tracer'));
    chmodSync(join(this.pluginDir, 'tracer'), 0o755);
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
}

/** Links of type veth in a namespace (by path), as names. */
export function veths(netnsPath: string): string[] {
  const r = inNetns(netnsPath, ['ip', '-j', 'link', 'show', 'type', 'veth']);
  return (JSON.parse(r.stdout || '[]') as Array<{ ifname: string }>).map((l) => l.ifname);
}

/** IPv4 addresses (CIDR) of a link in a namespace; [] when the link is missing. */
export function addresses(netnsPath: string, ifName: string): string[] {
  const r = inNetns(netnsPath, ['ip', '-j', '-4', 'addr', 'show', 'dev', ifName]);
  if (r.code !== 0) return [];
  const links = JSON.parse(r.stdout || '[]') as Array<{ addr_info: Array<{ local: string; prefixlen: number }> }>;
  return links.flatMap((l) => l.addr_info.map((a) => `${a.local}/${a.prefixlen}`));
}
