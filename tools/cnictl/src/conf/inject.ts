import type { PluginConf } from './load.ts';

/**
 * The runtime config a plugin is allowed to see: only the capability args whose names the plugin
 * lists as `true` in its `capabilities` (libcni's injectRuntimeConfig).
 */
export function allowedRuntimeConfig(plugin: PluginConf, capabilityArgs: Record<string, unknown>): Record<string, unknown> {
  const caps = (plugin.capabilities ?? {}) as Record<string, boolean>;
  const rc: Record<string, unknown> = {};
  for (const [cap, enabled] of Object.entries(caps)) {
    if (enabled && Object.hasOwn(capabilityArgs, cap)) rc[cap] = capabilityArgs[cap];
  }
  return rc;
}

export interface Injection {
  name: string;
  cniVersion: string;
  prevResult?: Record<string, unknown>;
  capabilityArgs: Record<string, unknown>;
}

/**
 * The exact config one plugin receives on stdin: its own keys (unknown ones kept), with the
 * list's name and version, the previous result, and the runtimeConfig its capabilities allow.
 * `capabilities` is the runtime's business and is stripped.
 */
export function buildPluginConfig(plugin: PluginConf, inject: Injection): Record<string, unknown> {
  const { capabilities: _caps, ...conf } = plugin;
  const out: Record<string, unknown> = { ...conf, name: inject.name, cniVersion: inject.cniVersion };
  if (inject.prevResult) out.prevResult = inject.prevResult;
  const rc = allowedRuntimeConfig(plugin, inject.capabilityArgs);
  if (Object.keys(rc).length > 0) out.runtimeConfig = rc;
  return out;
}
