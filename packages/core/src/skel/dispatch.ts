import { BUILD_VERSION } from '../build-version.ts';
import { CniError, ErrorCode } from '../spec/errors.ts';
import type { NetConf } from '../spec/types.ts';
import { convertResult, parseResult } from '../version/convert.ts';
import { atLeast, CURRENT_VERSION, isSupported, SUPPORTED_VERSIONS } from '../version/versions.ts';
import { validateContainerId, validateIfName } from '../validate.ts';
import type { CallContext, CallInput, CallOutput, Plugin, Verb } from './context.ts';
import { VERB_RULES } from './env-table.ts';
import { isOwnNetns, netnsKind, netnsOverride, type NetnsKind } from './netns.ts';
import { parseAttachments, parseStdinConfig } from './stdin-config.ts';

const VERBS: readonly Verb[] = ['ADD', 'DEL', 'CHECK', 'STATUS', 'GC', 'VERSION'];

/** What the dispatcher asks of the host; replaceable in tests. */
export interface DispatchOptions {
  /** Whether a CNI_NETNS path is the namespace this process runs in. */
  isOwnNetns?: (path: string) => boolean;
  /** What a CNI_NETNS path names (asked only for plugins that enter the namespace). */
  netnsKind?: (path: string) => NetnsKind;
}

/**
 * CNI_TS_DEBUG=1 (or true) adds the stack trace of an unexpected error to stderr, for a person
 * chasing a bug; otherwise a plugin's output carries the message alone.
 */
const debugTraces = (env: CallInput['env']): boolean => env.CNI_TS_DEBUG === '1' || env.CNI_TS_DEBUG?.toLowerCase() === 'true';

/** The VERSION answer: always 1.1.0, whatever version the caller sent (as the Go skel does). */
const versionAnswer = (): string => JSON.stringify({ cniVersion: CURRENT_VERSION, supportedVersions: SUPPORTED_VERSIONS });

/** The about text printed on stderr when the executable runs without CNI_COMMAND (the Go skel's shape). */
const aboutText = (name: string): string =>
  `CNI ${name} plugin (cni-ts) v${BUILD_VERSION}\nCNI protocol versions supported: ${SUPPORTED_VERSIONS.join(', ')}\n`;

/**
 * Run one plugin call without touching the process: env and stdin in, stdout/stderr/exit code
 * out. Handlers throw; only this function decides what reaches stdout. Every check here runs
 * before the handler, so bad input never leaves anything half-made.
 */
export async function dispatch(plugin: Plugin, input: CallInput, options: DispatchOptions = {}): Promise<CallOutput> {
  const stderr: string[] = [];
  const log = (m: string): void => void stderr.push(m.endsWith('\n') ? m : `${m}\n`);
  let version = CURRENT_VERSION;
  try {
    const command = input.env.CNI_COMMAND;
    if (!command) return { stdout: '', stderr: aboutText(plugin.name), exitCode: 0 };
    if (!(VERBS as readonly string[]).includes(command)) {
      throw new CniError(ErrorCode.InvalidEnvironment, `unknown CNI_COMMAND: ${command}`);
    }
    if (command === 'VERSION') return { stdout: versionAnswer(), stderr: '', exitCode: 0 };
    const verb = command as Exclude<Verb, 'VERSION'>;
    const rules = VERB_RULES[verb];
    const missing = rules.required.filter((k) => !input.env[k]);
    if (missing.length > 0) {
      throw new CniError(ErrorCode.InvalidEnvironment, `required env variables [${missing.join(',')}] missing`);
    }
    const config = parseStdinConfig(input.stdin);
    version = config.cniVersion;
    if (!atLeast(version, rules.minVersion)) {
      throw new CniError(ErrorCode.IncompatibleVersion, `config version does not allow ${verb}: cniVersion is "${version}", ${verb} needs >= ${rules.minVersion}`);
    }
    const ctx = buildContext(verb, input, config, log);
    if (plugin.entersNetns) checkNetnsKind(ctx, options.netnsKind ?? netnsKind);
    const netns = ctx.netns;
    if (rules.refuseOwnNetns && netns !== '' && !netnsOverride(input.env.CNI_NETNS_OVERRIDE) && (options.isOwnNetns ?? isOwnNetns)(netns)) {
      throw new CniError(ErrorCode.InvalidNetns, `CNI_NETNS "${netns}" is the plugin's own network namespace (set CNI_NETNS_OVERRIDE=1 if that is meant)`);
    }
    const stdout = await runVerb(plugin, verb, ctx);
    return { stdout, stderr: stderr.join(''), exitCode: 0 };
  } catch (err) {
    const cniErr = CniError.from(err);
    if (!(err instanceof CniError) && err instanceof Error && err.stack && debugTraces(input.env)) log(err.stack);
    return { stdout: JSON.stringify(cniErr.toJSON(errorVersion(version, input.stdin))), stderr: stderr.join(''), exitCode: 1 };
  }
}

/**
 * A CNI_NETNS that is not a network namespace (missing, a file, a device, another kind of
 * namespace): ADD and CHECK are refused before anything is made or reserved. A DEL goes on as for a
 * namespace that is gone, so what ADD made on the host is still released.
 */
function checkNetnsKind(ctx: CallContext, kindOf: (path: string) => NetnsKind): void {
  if (ctx.netns === '') return;
  const found = kindOf(ctx.netns);
  if (found.kind === 'netns' || (found.kind === 'missing' && ctx.command === 'DEL')) return;
  // Code 8, the Go skel's "invalid netns" (not in the spec's table), as for the own-netns refusal.
  if (found.kind === 'missing') throw new CniError(ErrorCode.InvalidNetns, `CNI_NETNS ${ctx.netns} does not exist`);
  if (ctx.command !== 'DEL') throw new CniError(ErrorCode.InvalidNetns, `CNI_NETNS ${ctx.netns} is not a network namespace: ${found.what}`);
  ctx.log(`CNI_NETNS ${ctx.netns} is not a network namespace (${found.what}): deleting as for a namespace that is gone`);
  ctx.netns = '';
  ctx.env = { ...ctx.env, CNI_NETNS: '' };
}

/**
 * The cniVersion an error is printed with: the config's, when the config got far enough to say
 * one this code speaks (a config refused for another key still names its version), else 1.1.0.
 */
function errorVersion(known: string, stdin: string): string {
  if (known !== CURRENT_VERSION) return known;
  try {
    const claimed = (JSON.parse(stdin) as { cniVersion?: unknown } | null)?.cniVersion;
    return typeof claimed === 'string' && isSupported(claimed) ? claimed : CURRENT_VERSION;
  } catch {
    return CURRENT_VERSION;
  }
}

/** Call the handler; only ADD prints, its 1.1.0 result converted to the config's version. */
async function runVerb(plugin: Plugin, verb: Exclude<Verb, 'VERSION'>, ctx: CallContext): Promise<string> {
  if (verb === 'ADD') return JSON.stringify(convertResult(await plugin.add(ctx), ctx.version));
  const handler = { DEL: plugin.del, CHECK: plugin.check, STATUS: plugin.status, GC: plugin.gc }[verb];
  await handler.call(plugin, ctx);
  return '';
}

function buildContext(verb: Exclude<Verb, 'VERSION'>, input: CallInput, config: NetConf, log: (m: string) => void): CallContext {
  const env = input.env;
  const containerId = env.CNI_CONTAINERID ?? '';
  const ifName = env.CNI_IFNAME ?? '';
  // STATUS and GC carry no attachment: their ids are checked only when a caller sends them anyway.
  if (containerId !== '') validateContainerId(containerId);
  if (ifName !== '') validateIfName(ifName);
  const ctx: CallContext = {
    command: verb,
    env,
    containerId,
    netns: env.CNI_NETNS ?? '',
    ifName,
    path: (env.CNI_PATH ?? '').split(':').filter(Boolean),
    cniArgs: env.CNI_ARGS ?? '',
    config,
    version: config.cniVersion,
    log,
  };
  if (config.prevResult !== undefined) {
    try {
      // The spec reads prevResult at the config's cniVersion, whatever the object itself claims.
      ctx.prevResult = parseResult(config.prevResult, config.cniVersion);
    } catch (err) {
      throw new CniError(ErrorCode.DecodeFailure, `invalid prevResult: ${(err as Error).message}`);
    }
  }
  if (verb === 'GC') ctx.validAttachments = parseAttachments(config);
  return ctx;
}
