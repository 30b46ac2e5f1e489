import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { selfDir } from '../install/install.ts';
import { didYouMean } from '../cli/usage.ts';

/**
 * The plugins this build ships: the names in the build's executable directory that are the
 * multi-call executable itself (every program is a hard link of it), cnictl excepted. Read from
 * the build rather than kept as a list here, so a plugin added to the build is known at once.
 */
export function shippedPlugins(dir: string = selfDir()): string[] {
  let self;
  try {
    self = statSync(join(dir, 'cnictl'));
  } catch {
    return [];
  }
  return readdirSync(dir)
    .filter((name) => name !== 'cnictl' && name !== 'cni-ts')
    .filter((name) => {
      try {
        const st = statSync(join(dir, name));
        return st.ino === self.ino && st.dev === self.dev;
      } catch {
        return false;
      }
    })
    .sort();
}

/** Plugins an operator commonly chains with ours but that come from the reference project. */
const REFERENCE_PLUGINS = ['bandwidth', 'dhcp', 'firewall', 'host-device', 'ipvlan', 'loopback', 'macvlan', 'ptp', 'sbr', 'static', 'tuning', 'vlan', 'vrf'];

/**
 * What to do about a plugin missing from CNI_PATH: install ours with cnictl; a near miss of a
 * known name is most likely a typo in the list; anything else comes from its own project.
 */
export function missingPluginFix(type: string, path: readonly string[], shipped: readonly string[] = shippedPlugins()): string {
  const target = path[0] ?? '/opt/cni/bin';
  if (shipped.includes(type)) return `install it: cnictl install --dir ${target} ${type}`;
  const near = didYouMean(type, [...new Set([...shipped, ...REFERENCE_PLUGINS])]);
  if (near) return `no plugin is called "${type}": did you mean "${near}"? Fix "type" in the network list`;
  return `"${type}" is not a cni-ts plugin: install it into ${target} from the project that provides it (for the reference plugins, the containernetworking-plugins package or release)`;
}

/** Why `install` has no executable `name` in `from`: a typo, a plugin not ours, or nothing built yet. */
export function missingSourceText(name: string, from: string, shipped: readonly string[] = shippedPlugins(from)): string {
  if (shipped.length === 0) return `no executable "${name}" in ${from} (build first with npm run build, or pass --from DIR)`;
  const near = didYouMean(name, shipped);
  return `no executable "${name}" in ${from}: ${near ? `did you mean "${near}"?` : `this build ships ${shipped.join(', ')}`}`;
}
