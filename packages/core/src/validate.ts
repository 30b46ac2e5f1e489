import { CniError, ErrorCode } from './spec/errors.ts';

/** libcni's rule for container ids and network names: also keeps them from escaping a directory. */
const SAFE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$/;

export function validateContainerId(id: string): void {
  if (!SAFE_NAME.test(id)) {
    throw new CniError(ErrorCode.InvalidEnvironment, `invalid CNI_CONTAINERID "${id}": must match ${SAFE_NAME.source}`);
  }
}

export function validateNetworkName(name: unknown): string {
  if (typeof name !== 'string' || name === '') throw new CniError(ErrorCode.InvalidConfig, 'missing network name: "name" must be set');
  if (!SAFE_NAME.test(name)) {
    throw new CniError(ErrorCode.InvalidConfig, `invalid network name "${name}": must match ${SAFE_NAME.source}`);
  }
  return name;
}

/** The kernel's limits on a link name (IFNAMSIZ - 1, no path or alias separators). */
export function validateIfName(name: string): void {
  const why =
    name === ''
      ? 'is empty'
      : name.length > 15
        ? 'is longer than 15 characters'
        : name === '.' || name === '..'
          ? 'is "." or ".."'
          : /[/:\s]/.test(name)
            ? 'contains "/", ":" or whitespace'
            : '';
  if (why) throw new CniError(ErrorCode.InvalidEnvironment, `invalid CNI_IFNAME "${name}": ${why}`);
}
