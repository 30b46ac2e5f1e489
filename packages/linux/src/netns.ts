/**
 * Prefix a command so it runs in the network namespace at `netnsPath` (CNI_NETNS is a path,
 * which `ip -n` does not take; nsenter does). An empty path means the current namespace.
 */
export function inNetns(netnsPath: string, argv: readonly string[]): string[] {
  return netnsPath ? ['nsenter', `--net=${netnsPath}`, '--', ...argv] : [...argv];
}
