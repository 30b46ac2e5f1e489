import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * Network namespaces for root tests. Every name carries a unique prefix so parallel tests and
 * other users of the machine never collide; `cleanup()` removes only what this fixture made.
 */
export class NetnsFixture {
  readonly prefix: string;
  private readonly names: string[] = [];

  constructor(label = 't') {
    this.prefix = `cts${label}${randomBytes(3).toString('hex')}`;
  }

  /**
   * Create a namespace, with loopback up unless `loopbackUp` is false (as the kernel makes it);
   * returns its name (path: /run/netns/<name>).
   */
  create(suffix: string, { loopbackUp = true }: { loopbackUp?: boolean } = {}): string {
    const name = `${this.prefix}-${suffix}`;
    execFileSync('ip', ['netns', 'add', name]);
    this.names.push(name);
    if (loopbackUp) execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    return name;
  }

  path(name: string): string {
    return `/run/netns/${name}`;
  }

  /** Run a command inside a namespace; returns stdout. */
  exec(name: string, argv: string[], input?: string): string {
    return execFileSync('ip', ['netns', 'exec', name, ...argv], { encoding: 'utf8', input });
  }

  /** Delete one namespace this fixture made (a runtime's "netns already gone"); nothing if it is gone. */
  drop(name: string): void {
    const at = this.names.indexOf(name);
    if (at < 0) return;
    this.names.splice(at, 1);
    try {
      execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }

  cleanup(): void {
    for (const name of this.names.splice(0).reverse()) {
      try {
        execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
  }
}
