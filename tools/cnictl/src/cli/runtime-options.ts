import { resolve } from 'node:path';
import { sha512Hex } from '@cni-ts/core/hash';
import { jsonOption, type ParsedArgs } from './options.ts';
import { UsageError } from './output.ts';

export const DEFAULT_CONF_DIR = '/etc/cni/net.d';
export const DEFAULT_CNI_PATH = '/opt/cni/bin';

/** Options shared by the commands that run plugins. */
export const RUNTIME_OPTIONS = ['conf-dir', 'cni-path', 'cache-dir', 'ifname', 'container-id', 'cap-args', 'args', 'valid-attachments'] as const;

/** The process environment as the commands read it (tests pass their own). */
export type Env = Readonly<Record<string, string | undefined>>;

export const confDir = (a: ParsedArgs, env: Env): string => a.options.get('conf-dir') ?? (env.NETCONFPATH || DEFAULT_CONF_DIR);

export function cniPath(a: ParsedArgs, env: Env): string[] {
  const dirs = (a.options.get('cni-path') ?? (env.CNI_PATH || DEFAULT_CNI_PATH)).split(':').filter(Boolean);
  if (dirs.length === 0) throw new UsageError('--cni-path is empty: give one or more directories separated by ":"');
  return dirs;
}

/**
 * A netns argument is a path, or a name under /run/netns (as `ip netns` creates them). A path is
 * made absolute and clean, as cnitool does (Go's filepath.Abs), since the container id hashes it.
 */
export const netnsPath = (arg: string): string => (arg.includes('/') ? resolve(arg) : `/run/netns/${arg}`);

/**
 * cnitool's container id, exactly: "cnitool-" + the first 10 bytes of sha512(netns path) in hex.
 * Stable per netns, so add/check/del of one netns agree without flags, and cnitool and cnictl
 * each DEL what the other added (same id, same cache file).
 */
export const defaultContainerId = (netns: string): string => `cnitool-${sha512Hex(netns).slice(0, 20)}`;

/** `--args 'K=V;K2=V2'` (or CNI_ARGS) as libcni's ordered pairs; a pair needs exactly one `=`. */
export function parsePairs(raw: string | undefined): Array<[string, string]> {
  if (!raw) return [];
  return raw
    .split(';')
    .filter((p) => p !== '')
    .map((pair) => {
      const kv = pair.split('=');
      if (kv.length !== 2 || kv[0] === '') throw new UsageError(`--args: "${pair}" is not KEY=VALUE`);
      return [kv[0]!, kv[1]!];
    });
}

/** `--cap-args` (or CAP_ARGS): a JSON object of capability name to value. */
export function capabilityArgs(a: ParsedArgs, env: Env): Record<string, unknown> {
  const raw = jsonOption('cap-args', a.options.get('cap-args') ?? (env.CAP_ARGS || undefined));
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UsageError('--cap-args must be a JSON object, e.g. \'{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]}\'');
  }
  return raw as Record<string, unknown>;
}

/** `--valid-attachments '[{"containerID":"c1","ifname":"eth0"}]'` for GC; none given means none valid. */
export function validAttachments(a: ParsedArgs): Array<{ containerID: string; ifname: string }> {
  const raw = jsonOption('valid-attachments', a.options.get('valid-attachments'));
  if (raw === undefined) return [];
  const ok =
    Array.isArray(raw) &&
    raw.every((v) => typeof v === 'object' && v !== null && typeof v.containerID === 'string' && typeof v.ifname === 'string');
  if (!ok) throw new UsageError('--valid-attachments must be a JSON list of {"containerID": "...", "ifname": "..."}');
  return (raw as Array<{ containerID: string; ifname: string }>).map((v) => ({ containerID: v.containerID, ifname: v.ifname }));
}
