import type { CallContext } from '../skel/context.ts';

/**
 * A CallContext for unit tests of plugin verbs: an ADD for container c1 on eth0 with no env,
 * path or CNI_ARGS and a silent log. Callers give the netns, config and version they test.
 */
export const testCallContext = (over: Pick<CallContext, 'netns' | 'config' | 'version'> & Partial<CallContext>): CallContext => ({
  command: 'ADD',
  env: {},
  containerId: 'c1',
  ifName: 'eth0',
  path: [],
  cniArgs: '',
  log: () => undefined,
  ...over,
});
