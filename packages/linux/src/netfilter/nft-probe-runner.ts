import { canStart, runLater, type CommandRunner, type RunOptions, type RunResult, type StartedCommand, type StartingRunner } from '../run.ts';
import { isNftFamily, listTables, missingObject } from '../netlink/nftables.ts';
import { NetlinkError } from '../netlink/errors.ts';
import { findOnPath } from '../path.ts';
import { canUseNetlink, NETLINK_NETFILTER, withNetlink } from '../netlink/socket.ts';

/**
 * Most calls look for nftables objects that are not there: a node on iptables has no portmap or
 * masquerade table, yet DEL must look (the node may have switched backends). Where this process
 * can open netlink sockets (the Bun executables), this runner answers, in-process, what nft would:
 * `nft list tables`, and `nft [-j] list table|chain ...` of a table or chain that does not exist
 * (nft's error, word for word). Listings of what exists, and every other command, go to the inner
 * runner, i.e. to `nft`.
 */
export class NftProbeRunner implements StartingRunner {
  /** Whether `nft` is on PATH: without it, nft's own "not found" must answer, as before. */
  private nftFound: boolean | undefined;

  constructor(private readonly inner: CommandRunner) {}

  async run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    const query = parseListing(argv);
    if (!query || !(this.nftFound ??= findOnPath('nft') !== undefined) || !(await canUseNetlink())) return this.inner.run(argv, options);
    try {
      const answer = answerInProcess(query);
      if (answer) return answer;
    } catch (err) {
      // The kernel refused the socket or the question (e.g. a seccomp filter): nft will say why.
      if (!(err instanceof NetlinkError)) throw err;
    }
    return this.inner.run(argv, options);
  }

  async start(argv: readonly string[]): Promise<StartedCommand> {
    if (parseListing(argv) || !canStart(this.inner)) return runLater(this, argv);
    return this.inner.start(argv);
  }
}

/** nft's answer when it can be given without nft; undefined when nft must list something. */
function answerInProcess(query: Listing): RunResult | undefined {
  return withNetlink(NETLINK_NETFILTER, (socket) => {
    if (query.what === 'tables') {
      return { stdout: listTables(socket).map((t) => `table ${t.family} ${t.name}\n`).join(''), stderr: '', code: 0 };
    }
    const missing = missingObject(socket, query.family, query.table, query.chain);
    return missing ? { stdout: '', stderr: notFound(query.words, missing === 'table' ? 3 : 4), code: 1 } : undefined;
  });
}

type Listing = { what: 'tables'; words: string[] } | { what: 'table' | 'chain'; words: string[]; family: string; table: string; chain?: string };

/** `nft list tables` (text only), or `nft [-j] list table FAMILY TABLE` / `list chain FAMILY TABLE CHAIN`. */
function parseListing(argv: readonly string[]): Listing | undefined {
  if (argv[0] !== 'nft') return undefined;
  const json = argv[1] === '-j';
  const words = argv.slice(json ? 2 : 1);
  if (words[0] !== 'list') return undefined;
  if (words.length === 2 && words[1] === 'tables') return json ? undefined : { what: 'tables', words };
  const [, what, family, table, chain] = words;
  if (!family || !isNftFamily(family) || !table) return undefined;
  if (what === 'table' && words.length === 4) return { what, words, family, table };
  if (what === 'chain' && words.length === 5 && chain) return { what, words, family, table, chain };
  return undefined;
}

/** nft's error for a missing object: the command echoed, the missing word underlined. */
function notFound(words: readonly string[], missingWord: number): string {
  const column = words.slice(0, missingWord).join(' ').length + 1;
  return `Error: No such file or directory\n${words.join(' ')}\n${' '.repeat(column)}${'^'.repeat(words[missingWord]!.length)}\n`;
}
