import { anyField, CniError, NETCONF_FIELDS, unknownKeys, type UnknownKey } from '@cni-ts/core';
import { parseStdinConfig } from '@cni-ts/core/skel/stdin-config';
import { ipamPlugin, OUR_PLUGINS } from './plugins.ts';

/** What one plugin entry would meet on ADD, as its own parser says, and the keys nobody reads. */
export interface PluginVerdict {
  /** The error ADD would return, "code N: message"; undefined when ADD would get past parsing. */
  refusal?: string;
  unknown: UnknownKey[];
}

/**
 * Ask the plugin's own parse-only entry (and, for a plugin delegating to one of our IPAM plugins,
 * that one's too) about `plugin` as the runtime would send it in the list `name` at `cniVersion`:
 * first the dispatcher's checks of stdin, then the plugin's. No side effect; any cniVersion.
 * A plugin that is not ours is only checked for what every plugin relies on.
 */
export function checkPlugin(plugin: Record<string, unknown>, name: string, cniVersion: string, cniArgs = ''): PluginVerdict {
  const { capabilities: _stripped, ...sent } = plugin; // the runtime strips capabilities
  const entry = typeof plugin.type === 'string' ? OUR_PLUGINS[plugin.type] : undefined;
  const ipamSection = typeof plugin.ipam === 'object' && plugin.ipam !== null && !Array.isArray(plugin.ipam) ? plugin.ipam : undefined;
  // An IPAM plugin run as a list's plugin reads the same ipam object it reads when delegated to.
  const ipam = entry?.section === 'ipam' ? entry : entry?.rewritesIpam ? undefined : ipamPlugin((ipamSection as { type?: unknown } | undefined)?.type);
  const own = entry?.section === 'ipam' ? undefined : entry;
  const unknown = [
    ...(entry ? unknownKeys(plugin, { ...NETCONF_FIELDS, ...(own ? own.fields : { ipam: IPAM_KEY }) }) : []),
    ...(ipam && ipamSection ? unknownKeys(ipamSection, ipam.fields, 'ipam', true) : []),
  ];
  try {
    const conf = parseStdinConfig(JSON.stringify({ ...sent, name, cniVersion }));
    own?.parse(conf, cniArgs);
    ipam?.parse(conf, cniArgs);
    return { unknown };
  } catch (e) {
    const err = CniError.from(e);
    return { refusal: `code ${err.code}: ${err.message}`, unknown };
  }
}

/** The `ipam` key of an IPAM plugin's own entry: its keys are checked against the plugin's fields. */
const IPAM_KEY = anyField('The IPAM plugin\'s settings.');
