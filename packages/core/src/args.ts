import { CniError, ErrorCode } from './spec/errors.ts';

/**
 * Parse CNI_ARGS (`K=V;K2=V2`). A pair without exactly one `=` is an error, as in libcni, and so
 * is an empty pair (`;;`, a trailing `;`): libcni's LoadArgs refuses them too. A key given twice
 * is refused rather than guessed at (libcni silently keeps the last).
 * Unknown keys are refused unless IgnoreUnknown is 1/true/True; `known` lists the keys a
 * plugin reads (the Kubernetes keys are always tolerated together with IgnoreUnknown).
 */
export function parseCniArgs(raw: string | undefined, known: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const pair of raw.split(';')) {
    const kv = pair.split('=');
    if (kv.length !== 2 || kv[0] === '') {
      throw new CniError(ErrorCode.InvalidEnvironment, `CNI_ARGS: invalid pair ${JSON.stringify(pair)} (expected KEY=VALUE;KEY=VALUE)`);
    }
    if (Object.hasOwn(out, kv[0]!)) throw new CniError(ErrorCode.InvalidEnvironment, `CNI_ARGS: "${kv[0]}" is given twice`);
    out[kv[0]!] = kv[1]!;
  }
  if (!ignoreUnknown(out.IgnoreUnknown)) {
    const unknown = Object.keys(out).filter((k) => k !== 'IgnoreUnknown' && !known.includes(k));
    if (unknown.length > 0) {
      throw new CniError(ErrorCode.InvalidEnvironment, `CNI_ARGS: unknown args ${JSON.stringify(unknown)} (set IgnoreUnknown=1 to allow)`);
    }
  }
  return out;
}

/** IgnoreUnknown is a boolean in libcni's spelling: 1/true/True or 0/false/False; anything else is refused. */
function ignoreUnknown(value: string | undefined): boolean {
  if (value === undefined || ['0', 'false', 'False'].includes(value)) return false;
  if (['1', 'true', 'True'].includes(value)) return true;
  throw new CniError(ErrorCode.InvalidEnvironment, `CNI_ARGS: IgnoreUnknown must be 1, true, True, 0, false or False, not "${value}"`);
}

/**
 * Look a key up case-insensitively. Go decodes JSON keys case-insensitively and containerd
 * sends `HostPort`, `ContainerPort`, ...; an exact-case match wins when both exist.
 */
export function getInsensitive(obj: Record<string, unknown> | undefined, key: string): unknown {
  if (!obj) return undefined;
  if (key in obj) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

/** A capability argument from runtimeConfig (e.g. `portMappings`, `ips`, `mac`), case-insensitive. */
export const capabilityArg = (runtimeConfig: Record<string, unknown> | undefined, name: string): unknown =>
  getInsensitive(runtimeConfig, name);

/** `args.cni.<key>` from the config (CONVENTIONS: labels, ips, mac). */
export function cniArg(args: Record<string, unknown> | undefined, key: string): unknown {
  const cni = args?.cni;
  if (typeof cni !== 'object' || cni === null) return undefined;
  return (cni as Record<string, unknown>)[key];
}
