import { SpawnRunner, runChecked, inNetns, type CommandRunner } from '@cni-ts/linux';
import { runBridgeBatch } from '@cni-ts/linux/system-tool';

/** Namespaces live where `ip netns` keeps them; the lab only ever names its own. */
export const netnsPath = (name: string): string => `/run/netns/${name}`;

/** The lab's only door to the machine: commands in a named namespace (or the host's, for `ip netns`). */
export class LabHost {
  constructor(private readonly runner: CommandRunner = new SpawnRunner()) {}

  /** Run argv inside namespace `netns`; throws with the command's own words on failure. */
  in(netns: string, argv: readonly string[], input?: string): Promise<string> {
    return runChecked(this.runner, inNetns(netnsPath(netns), argv), input === undefined ? undefined : { input });
  }

  /** Same, but returns the exit code and output instead of throwing. */
  tryIn(netns: string, argv: readonly string[], input?: string) {
    return this.runner.run(inNetns(netnsPath(netns), argv), input === undefined ? {} : { input });
  }

  /** iproute2's `bridge -batch -` inside namespace `netns` (never a CNI plugin of that name on PATH). */
  bridgeBatch(netns: string, text: string): Promise<void> {
    return runBridgeBatch(this.runner, netnsPath(netns), text);
  }

  async addNetns(name: string): Promise<void> {
    await runChecked(this.runner, ['ip', 'netns', 'add', name]);
    await this.in(name, ['ip', 'link', 'set', 'lo', 'up']);
  }

  /** Deleting a namespace takes its links, routes, VXLAN devices and firewall rules with it. */
  async deleteNetns(name: string): Promise<void> {
    const r = await this.runner.run(['ip', 'netns', 'delete', name]);
    if (r.code !== 0 && !/No such file/.test(r.stderr)) throw new Error(`ip netns delete ${name}: ${r.stderr.trim()}`);
  }

  async listNetns(): Promise<string[]> {
    const out = await runChecked(this.runner, ['ip', '-json', 'netns', 'list']);
    return out.trim() ? (JSON.parse(out) as Array<{ name: string }>).map((n) => n.name) : [];
  }

  /** One veth whose ends are created directly inside two namespaces (nothing in the host's). */
  async cable(nsA: string, nameA: string, nsB: string, nameB: string): Promise<void> {
    await runChecked(this.runner, ['ip', 'link', 'add', nameA, 'netns', nsA, 'type', 'veth', 'peer', 'name', nameB, 'netns', nsB]);
  }
}
