import { isSameFile } from '../invoke/find.ts';

/**
 * True when `path` names the network namespace this process runs in. A runtime that passes the
 * host's own namespace as CNI_NETNS would have ADD build, or DEL tear down, links on the host.
 * A path that cannot be read is not ours: DEL must still succeed when the namespace is gone.
 */
export const isOwnNetns = (path: string): boolean => isSameFile(path, '/proc/self/ns/net');

/** CNI_NETNS_OVERRIDE=1/true (any case) lets a caller run a plugin on its own namespace on purpose. */
export const netnsOverride = (value: string | undefined): boolean => value === '1' || value?.toLowerCase() === 'true';
