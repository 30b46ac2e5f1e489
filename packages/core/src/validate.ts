import { CniError, ErrorCode } from './spec/errors.ts';

/** libcni's rule for container ids and network names: also keeps them from escaping a directory. */
export const SAFE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$/;

/**
 * The longest container id accepted. Neither the spec nor libcni sets one, but ids name files:
 * the longest is flannel's saved-config temp `<id>:<ifname>.tmp-<pid>-<6 chars>`, which must fit
 * a file name (NAME_MAX, 255 bytes) with a 15-character interface name and a 7-digit pid.
 */
export const MAX_CONTAINER_ID_LENGTH = 255 - ':'.length - 15 - '.tmp-'.length - 7 - '-'.length - 6;

export function validateContainerId(id: string): void {
  if (id.length > MAX_CONTAINER_ID_LENGTH) {
    throw new CniError(ErrorCode.InvalidEnvironment, `invalid CNI_CONTAINERID: ${id.length} characters, at most ${MAX_CONTAINER_ID_LENGTH} (it is part of state file names)`);
  }
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

/**
 * Characters the kernel allows in a link name but that end a command, start a comment or quote in
 * the nft and iptables-restore scripts the plugins write (chain names carry the interface name).
 */
const SCRIPT_SPECIAL = /[;#"'\\{}$\x00-\x1f\x7f]/;

/** The kernel's limits on a link name (IFNAMSIZ - 1, no path or alias separators), and SCRIPT_SPECIAL. */
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
            : SCRIPT_SPECIAL.test(name)
              ? 'contains a character an nft or iptables-restore script treats specially (; # " \' \\ { } $ or a control character)'
              : '';
  if (why) throw new CniError(ErrorCode.InvalidEnvironment, `invalid CNI_IFNAME "${name}": ${why}`);
}
