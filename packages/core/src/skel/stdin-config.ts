import { decodeJson } from '../json.ts';
import { CniError, ErrorCode } from '../spec/errors.ts';
import type { Attachment, NetConf } from '../spec/types.ts';
import { assertSupported } from '../version/versions.ts';
import { validateNetworkName } from '../validate.ts';

/**
 * The config on stdin, checked for what every plugin relies on. The object is kept as received
 * (unknown keys included) so that delegates get it whole; a missing cniVersion reads as 0.1.0.
 */
export function parseStdinConfig(stdin: string): NetConf {
  const raw = decodeJson(stdin, 'error parsing network configuration from stdin');
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

/** GC's list of attachments to keep: the spec's key, and its pre-release name (libcni ≥ 1.2.3 sends both). */
const ATTACHMENT_KEYS = ['cni.dev/valid-attachments', 'cni.dev/attachments'] as const;

/**
 * The attachments a GC must keep, read in this one place for every plugin: from
 * `cni.dev/valid-attachments`, else from the older `cni.dev/attachments` (what a runtime written
 * to the spec's first name for it sends); neither means none is valid. Errors name the key read.
 */
export function parseAttachments(config: NetConf): Attachment[] {
  const key = ATTACHMENT_KEYS.find((k) => config[k] !== undefined && config[k] !== null);
  if (!key) return [];
  const raw = config[key];
  if (!Array.isArray(raw)) throw new CniError(ErrorCode.InvalidConfig, `"${key}" must be a list`);
  return raw.map((a, i) => {
    const att = a as Partial<Attachment> | null;
    if (!att || typeof att.containerID !== 'string' || typeof att.ifname !== 'string') {
      throw new CniError(ErrorCode.InvalidConfig, `"${key}"[${i}] must have string containerID and ifname`);
    }
    return { containerID: att.containerID, ifname: att.ifname };
  });
}
