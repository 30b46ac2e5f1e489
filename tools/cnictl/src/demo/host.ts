import { spawn, type ChildProcess } from 'node:child_process';
import { inNetns, runChecked, SpawnRunner, type CommandRunner } from '@cni-ts/linux';

/**
 * The host work of the demo: namespaces it creates and removes, commands inside them, and
 * background servers it starts and stops by their own PID. Nothing here touches what the demo
 * did not make.
 */
export class DemoHost {
  private readonly namespaces: string[] = [];
  private readonly children: ChildProcess[] = [];

  constructor(private readonly runner: CommandRunner = new SpawnRunner()) {}

  async createNetns(name: string): Promise<string> {
    await runChecked(this.runner, ['ip', 'netns', 'add', name]);
    this.namespaces.push(name);
    await runChecked(this.runner, ['ip', '-n', name, 'link', 'set', 'lo', 'up']);
    return `/run/netns/${name}`;
  }

  /** Run in a namespace; true when the command exits 0. */
  async succeeds(netns: string, argv: readonly string[]): Promise<boolean> {
    return (await this.runner.run(inNetns(netns, argv))).code === 0;
  }

  async output(netns: string, argv: readonly string[]): Promise<string> {
    return runChecked(this.runner, inNetns(netns, argv));
  }

  /** Start a long-running command in a namespace; stopped by cleanup(). */
  background(netns: string, argv: readonly string[]): void {
    const [file, ...args] = inNetns(netns, argv);
    const child = spawn(file!, args, { stdio: 'ignore' });
    child.on('error', () => undefined);
    this.children.push(child);
  }

  /** Stop what we started, delete what we created (newest first); never throws. */
  async cleanup(): Promise<void> {
    for (const child of this.children.splice(0)) if (child.exitCode === null) child.kill('SIGTERM');
    for (const name of this.namespaces.splice(0).reverse()) await this.runner.run(['ip', 'netns', 'delete', name]);
  }
}
