import { CONFIG_ENTRY as bridge } from '@cni-ts/bridge/config';
import type { ConfigEntry } from '@cni-ts/core';
import { CONFIG_ENTRY as flannel } from '@cni-ts/flannel/config';
import { CONFIG_ENTRY as hostLocal } from '@cni-ts/host-local/config';
import { CONFIG_ENTRY as portmap } from '@cni-ts/portmap/config';

/** The plugins of this project by `type`, each with its parse-only entry. */
export const OUR_PLUGINS: Readonly<Record<string, ConfigEntry>> = { bridge, 'host-local': hostLocal, portmap, flannel };

/** Our IPAM plugins: their keys live in the `ipam` object of the plugin that delegates to them. */
export const ipamPlugin = (type: unknown): ConfigEntry | undefined => {
  const entry = typeof type === 'string' ? OUR_PLUGINS[type] : undefined;
  return entry?.section === 'ipam' ? entry : undefined;
};
