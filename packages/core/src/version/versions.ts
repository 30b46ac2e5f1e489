import { CniError, ErrorCode } from '../spec/errors.ts';

/** Every cniVersion these plugins speak, oldest first. 1.1.0 is the hub results are built in. */
export const SUPPORTED_VERSIONS = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
export const CURRENT_VERSION = '1.1.0';

function parts(v: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v);
  if (!m) throw new CniError(ErrorCode.IncompatibleVersion, `invalid cniVersion "${v}"`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** Negative, zero or positive as a < b, a == b, a > b (semantic version order). */
export function compareVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}

export const atLeast = (v: string, min: string): boolean => compareVersions(v, min) >= 0;

export const isSupported = (v: string): boolean => (SUPPORTED_VERSIONS as readonly string[]).includes(v);

export function assertSupported(v: string): void {
  if (!isSupported(v)) {
    throw new CniError(
      ErrorCode.IncompatibleVersion,
      `incompatible CNI versions: cniVersion "${v}" is not supported; this plugin supports ${JSON.stringify(SUPPORTED_VERSIONS)}`,
    );
  }
}
