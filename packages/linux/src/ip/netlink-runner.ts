import { runLater, startOrRunLater, type CommandRunner, type RunOptions, type RunResult, type StartedCommand, type StartingRunner } from '../run.ts';
import { NetlinkError } from '../netlink/errors.ts';
import { parseIpCommand, splitBatch, type BatchLine, type IpCommand } from '../netlink/ip-command.ts';
import { executeIpBatch } from '../netlink/ip-executor.ts';
import { canUseNetlink, NETLINK_ROUTE, openNetlink } from '../netlink/socket.ts';
import { NetnsEnterError } from './enter.ts';
import { NetnsRunner, nsenterPath } from './ns-runner.ts';

/**
 * The runner for the plugins' `ip -batch -` work. Where this process can open rtnetlink sockets
 * (the Bun executables), a batch made only of commands that netlink/ip-command.ts reads is
 * carried out in-process, over a socket in the batch's namespace: no `ip` process, whose start-up
 * costs more than the kernel work. Anything else (other commands, a batch with a line outside
 * that grammar, everything under Node) goes to the inner runner unchanged, so the result is the
 * same either way: iproute2's output, words and exit status.
 */
export class IpNetlinkRunner implements StartingRunner {
  constructor(private readonly inner: CommandRunner = new NetnsRunner()) {}

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const target = ipBatchTarget(argv);
    if (!target || !(await canUseNetlink())) return this.inner.run(argv, options);
    const lines: Array<BatchLine & { command: IpCommand }> = [];
    for (const line of splitBatch(options.input ?? '')) {
      const command = parseIpCommand(line.words);
      // `addr show` must print what `ip -d -json` prints; only that output form is produced here.
      if (!command || (command.op === 'show-link' && !target.detailedJson)) return this.inner.run(argv, options);
      lines.push({ ...line, command });
    }
    if (lines.length === 0) return { stdout: '', stderr: '', code: 0 };
    let socket;
    try {
      socket = openNetlink(NETLINK_ROUTE, target.netns);
    } catch (err) {
      if (err instanceof NetnsEnterError) return { stdout: '', stderr: err.message, code: 1 };
      if (err instanceof NetlinkError) return this.inner.run(argv, options);
      throw err;
    }
    try {
      return executeIpBatch(socket, lines);
    } finally {
      socket.close();
    }
  }

  /** An `ip -batch` needs no early start here: it runs when its input comes. */
  async start(argv: readonly string[]): Promise<StartedCommand> {
    if (ipBatchTarget(argv) && (await canUseNetlink())) return runLater(this, argv);
    return startOrRunLater(this.inner, argv);
  }
}

/** The namespace (empty: this one) and output form of `[nsenter --net=PATH --] ip [-d] [-json] -batch -`. */
function ipBatchTarget(argv: readonly string[]): { netns: string; detailedJson: boolean } | undefined {
  const netns = nsenterPath(argv);
  const ip = netns === undefined ? argv : argv.slice(3);
  if (ip[0] !== 'ip' || ip.length < 3 || ip[ip.length - 2] !== '-batch' || ip[ip.length - 1] !== '-') return undefined;
  const options = ip.slice(1, -2);
  if (!options.every((o) => o === '-d' || o === '-json')) return undefined;
  return { netns: netns ?? '', detailedJson: options.includes('-d') && options.includes('-json') };
}
