import type { Attachment, NetConf, Result } from '../spec/types.ts';

export type Verb = 'ADD' | 'DEL' | 'CHECK' | 'STATUS' | 'GC' | 'VERSION';

/** Everything a handler needs about one call, parsed and validated by the dispatcher. */
export interface CallContext {
  command: Verb;
  /** The complete environment of the call; handlers never read process.env. */
  env: Readonly<Record<string, string | undefined>>;
  containerId: string;
  /** CNI_NETNS: a path such as /run/netns/x; empty for DEL without a netns. */
  netns: string;
  ifName: string;
  /** CNI_PATH split into directories. */
  path: string[];
  /** CNI_ARGS, raw; plugins parse the keys they know with parseCniArgs. */
  cniArgs: string;
  /** The config object as received (unknown keys kept, for delegates). */
  config: NetConf;
  /** The config's cniVersion (what the result is printed as). */
  version: string;
  /** prevResult read into the 1.1.0 shape, when the config carries one. */
  prevResult?: Result;
  /** GC only: the attachments that must be kept. */
  validAttachments?: Attachment[];
  /** Diagnostics go to stderr, never stdout. */
  log(message: string): void;
}

export interface Plugin {
  /** The executable's name, e.g. "bridge"; used in messages and the VERSION about line. */
  name: string;
  /**
   * The plugin works inside CNI_NETNS (it creates or removes links there, itself or through a
   * delegate): the dispatcher refuses an ADD or CHECK whose CNI_NETNS is not a network
   * namespace before the handler runs, and a DEL treats such a path as a namespace that is gone.
   */
  entersNetns?: boolean;
  add(ctx: CallContext): Promise<Result>;
  del(ctx: CallContext): Promise<void>;
  check(ctx: CallContext): Promise<void>;
  status(ctx: CallContext): Promise<void>;
  gc(ctx: CallContext): Promise<void>;
}

export interface CallInput {
  env: Readonly<Record<string, string | undefined>>;
  stdin: string;
}

export interface CallOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}
