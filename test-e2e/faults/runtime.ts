import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DIST_BIN } from '../lib/exec.ts';

/** One plugin of a chain: its config as libcni builds it (name and cniVersion come from the list). */
export type PluginConf = Record<string, unknown> & { type: string };

export interface Chain {
  name: string;
  cniVersion: string;
  plugins: PluginConf[];
}

export interface Attachment {
  containerId: string;
  netns: string;
  ifName: string;
}

export interface CallOutcome {
  code: number;
  stdout: string;
  stderr: string;
  /** The call was ended by our SIGKILL. */
  killed: boolean;
}

/**
 * A runtime as libcni drives a chain: ADD runs the plugins in order, each with the result of the
 * one before as prevResult; DEL in reverse order; GC once per plugin. Every plugin runs inside the
 * node namespace (nsenter execs it in place) as the leader of its own process group, so a kill
 * takes it and everything it started (delegated IPAM, iptables-restore, nft).
 */
export class ChainRuntime {
  private killAt: number | undefined;

  constructor(
    readonly node: string,
    readonly chain: Chain,
    readonly cniPath = DIST_BIN,
  ) {}

  /** The full plugin config libcni sends. */
  conf(plugin: PluginConf, prevResult?: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { ...plugin, name: this.chain.name, cniVersion: this.chain.cniVersion, ...(prevResult !== undefined && { prevResult }), ...extra };
  }

  /**
   * ADD of the whole chain; with `killAfterMs`, the process group of whichever plugin runs at
   * that moment is killed with SIGKILL and the chain stops there. `last`: the last result a
   * plugin printed (the chain's result when every plugin finished).
   */
  async add(a: Attachment, killAfterMs?: number): Promise<{ outcome: CallOutcome; last: unknown; completed: boolean }> {
    this.killAt = killAfterMs === undefined ? undefined : Date.now() + killAfterMs;
    let prev: unknown;
    try {
      for (const plugin of this.chain.plugins) {
        const outcome = await this.call(plugin.type, 'ADD', a, this.conf(plugin, prev));
        if (outcome.code !== 0) return { outcome, last: prev, completed: false };
        prev = JSON.parse(outcome.stdout);
      }
      return { outcome: { code: 0, stdout: JSON.stringify(prev), stderr: '', killed: false }, last: prev, completed: true };
    } finally {
      this.killAt = undefined;
    }
  }

  /** DEL of the whole chain, in reverse; `prevResult` as the runtime has it (libcni's cache), or none. */
  async del(a: Attachment, prevResult?: unknown): Promise<CallOutcome[]> {
    const outcomes: CallOutcome[] = [];
    for (const plugin of [...this.chain.plugins].reverse()) outcomes.push(await this.call(plugin.type, 'DEL', a, this.conf(plugin, prevResult)));
    return outcomes;
  }

  /** GC of every plugin with the attachments still valid (cni.dev/valid-attachments). */
  async gc(valid: Array<{ containerID: string; ifname: string }>): Promise<CallOutcome[]> {
    const none: Attachment = { containerId: '', netns: '', ifName: '' };
    return Promise.all(this.chain.plugins.map((p) => this.call(p.type, 'GC', none, this.conf(p, undefined, { 'cni.dev/valid-attachments': valid }))));
  }

  private call(type: string, command: string, a: Attachment, config: unknown): Promise<CallOutcome> {
    return this.exec(type, command, a, JSON.stringify(config));
  }

  /** One plugin call with `stdin` as given (any text) and `env` added to the runtime's variables. */
  exec(type: string, command: string, a: Attachment, stdin: string, extraEnv: Record<string, string> = {}): Promise<CallOutcome> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      CNI_COMMAND: command,
      CNI_PATH: this.cniPath,
      ...(command !== 'GC' && { CNI_CONTAINERID: a.containerId, CNI_NETNS: a.netns, CNI_IFNAME: a.ifName }),
      ...extraEnv,
    };
    const child = spawn('nsenter', [`--net=${this.node}`, '--', join(this.cniPath, type)], { env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    if (this.killAt !== undefined) {
      timer = setTimeout(() => {
        killed = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // the group is gone already
        }
      }, Math.max(0, this.killAt - Date.now()));
    }
    return new Promise((resolve) =>
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        // The group's other members (a delegate, iptables-restore) may outlive the leader's exit.
        if (killed) killGroup(child.pid!);
        resolve({ code: code ?? (signal ? 137 : -1), stdout, stderr, killed: killed && signal === 'SIGKILL' });
      }),
    );
  }
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // nothing left
  }
}
