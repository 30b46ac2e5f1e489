import { CniError, ErrorCode } from '../spec/errors.ts';
import type { Attachment, NetConf } from '../spec/types.ts';
import { convertResult, parseResult } from '../version/convert.ts';
import { assertSupported, atLeast, CURRENT_VERSION, SUPPORTED_VERSIONS } from '../version/versions.ts';
import { validateContainerId, validateIfName, validateNetworkName } from '../validate.ts';
import type { CallContext, CallInput, CallOutput, Plugin, Verb } from './context.ts';
import { VERB_RULES } from './env-table.ts';

const VERBS: readonly Verb[] = ['ADD', 'DEL', 'CHECK', 'STATUS', 'GC', 'VERSION'];

/**
 * Run one plugin call without touching the process: env and stdin in, stdout/stderr/exit code
 * out. Handlers throw; only this function decides what reaches stdout.
 */
export async function dispatch(plugin: Plugin, input: CallInput): Promise<CallOutput> {
  const stderr: string[] = [];
  const log = (m: string): void => void stderr.push(m.endsWith('\n') ? m : `${m}\n`);
  let version = CURRENT_VERSION;
  try {
    const command = input.env.CNI_COMMAND;
    if (!command) {
      log(`CNI ${plugin.name} plugin (cni-ts), supports CNI versions ${SUPPORTED_VERSIONS.join(', ')}`);
      return { stdout: '', stderr: stderr.join(''), exitCode: 0 };
    }
    if (!(VERBS as readonly string[]).includes(command)) {
      throw new CniError(ErrorCode.InvalidEnvironment, `unknown CNI_COMMAND: ${command}`);
    }
    if (command === 'VERSION') {
      const out = { cniVersion: CURRENT_VERSION, supportedVersions: SUPPORTED_VERSIONS };
      return { stdout: JSON.stringify(out), stderr: '', exitCode: 0 };
    }
    const verb = command as Exclude<Verb, 'VERSION'>;
    const rules = VERB_RULES[verb];
    const missing = rules.required.filter((k) => input.env[k] === undefined || (k !== 'CNI_PATH' && input.env[k] === ''));
    if (missing.length > 0) {
      throw new CniError(ErrorCode.InvalidEnvironment, `required env variables [${missing.join(',')}] missing`);
    }
    const config = parseConfig(input.stdin);
    version = config.cniVersion;
    if (!atLeast(version, rules.minVersion)) {
      throw new CniError(ErrorCode.IncompatibleVersion, `config version "${version}" does not allow command ${verb} (needs >= ${rules.minVersion})`);
    }
    const ctx = buildContext(verb, input, config, log);
    switch (verb) {
      case 'ADD': {
        const result = await plugin.add(ctx);
        return { stdout: JSON.stringify(convertResult(result, version)), stderr: stderr.join(''), exitCode: 0 };
      }
      case 'DEL':
        await plugin.del(ctx);
        break;
      case 'CHECK':
        await plugin.check(ctx);
        break;
      case 'STATUS':
        await plugin.status(ctx);
        break;
      case 'GC':
        await plugin.gc(ctx);
        break;
    }
    return { stdout: '', stderr: stderr.join(''), exitCode: 0 };
  } catch (err) {
    const cniErr = CniError.from(err);
    if (!(err instanceof CniError) && err instanceof Error && err.stack) log(err.stack);
    return { stdout: JSON.stringify(cniErr.toJSON(safeVersion(version))), stderr: stderr.join(''), exitCode: 1 };
  }
}

function safeVersion(v: string): string {
  return (SUPPORTED_VERSIONS as readonly string[]).includes(v) ? v : CURRENT_VERSION;
}

function parseConfig(stdin: string): NetConf {
  let raw: unknown;
  try {
    raw = JSON.parse(stdin);
  } catch (err) {
    throw new CniError(ErrorCode.DecodeFailure, `error parsing network configuration from stdin: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CniError(ErrorCode.DecodeFailure, 'network configuration on stdin must be a JSON object');
  }
  const conf = raw as Record<string, unknown>;
  if (conf.cniVersion === undefined || conf.cniVersion === '') conf.cniVersion = '0.1.0';
  if (typeof conf.cniVersion !== 'string') throw new CniError(ErrorCode.DecodeFailure, '"cniVersion" must be a string');
  assertSupported(conf.cniVersion);
  validateNetworkName(conf.name);
  if (typeof conf.type !== 'string' || conf.type === '') throw new CniError(ErrorCode.InvalidConfig, '"type" must be a non-empty string');
  for (const key of ['runtimeConfig', 'args', 'ipam'] as const) {
    const v = conf[key];
    if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v))) {
      throw new CniError(ErrorCode.InvalidConfig, `"${key}" must be a JSON object`);
    }
  }
  return conf as NetConf;
}

function buildContext(verb: Exclude<Verb, 'VERSION'>, input: CallInput, config: NetConf, log: (m: string) => void): CallContext {
  const env = input.env;
  const containerId = env.CNI_CONTAINERID ?? '';
  const ifName = env.CNI_IFNAME ?? '';
  if (containerId !== '' || VERB_RULES[verb].required.includes('CNI_CONTAINERID')) validateContainerId(containerId);
  if (ifName !== '' || VERB_RULES[verb].required.includes('CNI_IFNAME')) validateIfName(ifName);
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
      ctx.prevResult = parseResult(config.prevResult, config.cniVersion);
    } catch (err) {
      throw new CniError(ErrorCode.DecodeFailure, `invalid prevResult: ${(err as Error).message}`);
    }
  }
  if (verb === 'GC') ctx.validAttachments = parseAttachments(config);
  return ctx;
}

/** `cni.dev/valid-attachments`, or its pre-release name `cni.dev/attachments` (libcni sends both). */
function parseAttachments(config: NetConf): Attachment[] {
  const raw = config['cni.dev/valid-attachments'] ?? config['cni.dev/attachments'] ?? [];
  if (!Array.isArray(raw)) throw new CniError(ErrorCode.InvalidConfig, '"cni.dev/valid-attachments" must be a list');
  return raw.map((a, i) => {
    const att = a as Partial<Attachment> | null;
    if (!att || typeof att.containerID !== 'string' || typeof att.ifname !== 'string') {
      throw new CniError(ErrorCode.InvalidConfig, `"cni.dev/valid-attachments"[${i}] must have string containerID and ifname`);
    }
    return { containerID: att.containerID, ifname: att.ifname };
  });
}
