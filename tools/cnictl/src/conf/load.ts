import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { compareVersions, SUPPORTED_VERSIONS, validateNetworkName } from '@cni-ts/core';
import { UsageError } from '../cli/output.ts';

/** One plugin entry of a list, as written by the user (unknown keys kept). */
export type PluginConf = Record<string, unknown> & { type: string };

/** A network configuration list, loaded and checked, with the version libcni would use. */
export interface NetworkList {
  name: string;
  /** The version the list runs at (chooseCniVersion): what each plugin gets as its cniVersion. */
  cniVersion: string;
  disableCheck: boolean;
  disableGC: boolean;
  plugins: PluginConf[];
  /** The bytes libcni keeps in its result cache (`config`): the file, or the up-converted list. */
  bytes: Buffer;
  /** Where it came from, for messages. */
  file: string;
}

export class ConfError extends UsageError {}

const LIST_EXT = ['.conflist'];
const SINGLE_EXT = ['.conf', '.json'];

/** The files of `dir` with one of `exts`, sorted by name as libcni does. */
export function confFiles(dir: string, exts: readonly string[]): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new ConfError(`cannot read the configuration directory ${dir}: ${(e as Error).message}`);
  }
  return names.filter((n) => exts.includes(extname(n))).sort().map((n) => join(dir, n));
}

/**
 * libcni's lookup: the `.conflist` files first, then the deprecated single-plugin `.conf` and
 * `.json` files, which are up-converted to a list of one. A file that does not parse stops the
 * search, naming the file, as libcni does: a broken file may be the network asked for.
 */
export function loadNetwork(dir: string, name: string): NetworkList {
  for (const file of confFiles(dir, LIST_EXT)) {
    const list = parseConfList(readFileSync(file), file);
    if (list.name === name) return list;
  }
  for (const file of confFiles(dir, SINGLE_EXT)) {
    const list = parseSingleConf(readFileSync(file), file);
    if (list.name === name) return list;
  }
  throw new ConfError(`no network named "${name}" in ${dir} (looked at *.conflist, then *.conf and *.json)`);
}

/** Load every list of a directory (for `validate`): each file's list or its problem. */
export function loadAll(dir: string): Array<{ file: string; list?: NetworkList; problem?: string }> {
  const files = [...confFiles(dir, LIST_EXT), ...confFiles(dir, SINGLE_EXT)];
  return files.map((file) => {
    try {
      const bytes = readFileSync(file);
      return { file, list: extname(file) === '.conflist' ? parseConfList(bytes, file) : parseSingleConf(bytes, file) };
    } catch (e) {
      return { file, problem: (e as Error).message };
    }
  });
}

/** The list of each name a runtime uses: the first file of a name; later ones are shadowed. */
export function usedLists(entries: ReadonlyArray<{ list?: NetworkList }>): NetworkList[] {
  const byName = new Map<string, NetworkList>();
  for (const { list } of entries) if (list && !byName.has(list.name)) byName.set(list.name, list);
  return [...byName.values()];
}

function parseJsonObject(bytes: Buffer, file: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new ConfError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfError(`${file}: must be a JSON object`);
  return raw as Record<string, unknown>;
}

export function parseConfList(bytes: Buffer, file: string): NetworkList {
  const raw = parseJsonObject(bytes, file);
  const name = checkName(raw.name, file);
  if (!Array.isArray(raw.plugins) || raw.plugins.length === 0) {
    throw new ConfError(`${file}: "plugins" must be a non-empty list of plugin configurations`);
  }
  const plugins = raw.plugins.map((p, i) => checkPlugin(p, `${file}: plugins[${i}]`));
  return {
    name,
    cniVersion: version(raw, file),
    disableCheck: flag(raw, 'disableCheck', file),
    disableGC: flag(raw, 'disableGC', file),
    plugins,
    bytes,
    file,
  };
}

/** A single-plugin file becomes a list of one (libcni's ConfListFromConf). */
export function parseSingleConf(bytes: Buffer, file: string): NetworkList {
  const raw = parseJsonObject(bytes, file);
  const name = checkName(raw.name, file);
  const plugin = checkPlugin(raw, file);
  const cniVersion = version(raw, file);
  const listed = { cniVersion: raw.cniVersion ?? cniVersion, name, plugins: [raw] };
  return { name, cniVersion, disableCheck: false, disableGC: false, plugins: [plugin], bytes: Buffer.from(JSON.stringify(listed)), file };
}

function checkName(name: unknown, file: string): string {
  try {
    return validateNetworkName(name);
  } catch (e) {
    throw new ConfError(`${file}: ${(e as Error).message}`);
  }
}

function version(raw: Record<string, unknown>, file: string): string {
  try {
    return chooseCniVersion(raw);
  } catch (e) {
    throw new ConfError(`${file}: ${(e as Error).message}`);
  }
}

/** A list's version keys as written: `cniVersion`, and spec 1.1's `cniVersions`. */
export interface ListVersions {
  cniVersion?: unknown;
  cniVersions?: unknown;
}

const SEMVER = /^\d+\.\d+\.\d+$/;

/**
 * The cniVersion a list runs at, chosen as libcni chooses it: with `cniVersions`, the highest of
 * its entries and `cniVersion` that the runtime supports; without, `cniVersion` itself (none at
 * all: 0.1.0, as the spec says). Every plugin of the list then gets that version on stdin.
 * cnictl, the runtime here, speaks every version our plugins do; `pluginVersions` narrows the
 * choice to what the list's plugins answer to VERSION, for a caller that asked them.
 * Like libcni, this refuses version keys that are not strings, and list entries that are not
 * x.y.z; where libcni would go on with a version nobody speaks (every plugin then refuses it),
 * this says so at once.
 */
export function chooseCniVersion(list: ListVersions, pluginVersions: readonly string[] = SUPPORTED_VERSIONS): string {
  const { cniVersion, cniVersions } = list;
  if (cniVersion !== undefined && typeof cniVersion !== 'string') throw new Error('"cniVersion" must be a string');
  if (cniVersions !== undefined && !Array.isArray(cniVersions)) throw new Error('"cniVersions" must be a list of strings');
  const candidates = [...((cniVersions ?? []) as unknown[]), ...(cniVersion ? [cniVersion] : [])];
  if (candidates.length === 0) return '0.1.0';
  if (cniVersions !== undefined) {
    candidates.forEach((v, i) => {
      const key = i < (cniVersions as unknown[]).length ? `"cniVersions"[${i}]` : '"cniVersion"';
      if (typeof v !== 'string' || !SEMVER.test(v)) throw new Error(`${key} must be a version such as "1.1.0", not ${JSON.stringify(v)}`);
    });
  }
  const both: string[] = SUPPORTED_VERSIONS.filter((v) => pluginVersions.includes(v));
  const chosen = (candidates as string[]).filter((v) => both.includes(v)).sort(compareVersions).at(-1);
  if (chosen) return chosen;
  const asked = cniVersions === undefined ? `cniVersion "${cniVersion}" is not` : `none of ${JSON.stringify(candidates)} is`;
  throw new Error(`incompatible CNI versions: ${asked} supported; supported are ${JSON.stringify(both)}`);
}

function flag(raw: Record<string, unknown>, key: string, file: string): boolean {
  const v = raw[key];
  if (v === undefined) return false;
  // libcni also accepts the strings "true"/"false" for disableCheck.
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new ConfError(`${file}: "${key}" must be true or false`);
}

function checkPlugin(p: unknown, where: string): PluginConf {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new ConfError(`${where}: must be a JSON object`);
  const conf = p as Record<string, unknown>;
  if (typeof conf.type !== 'string' || conf.type === '') throw new ConfError(`${where}: missing "type" (the plugin executable's name)`);
  if (conf.type.includes('/') || conf.type === '.' || conf.type === '..') {
    throw new ConfError(`${where}: "type" must be a plain executable name, not "${conf.type}"`);
  }
  const caps = conf.capabilities;
  if (caps !== undefined && (typeof caps !== 'object' || caps === null || Array.isArray(caps) || Object.values(caps).some((v) => typeof v !== 'boolean'))) {
    throw new ConfError(`${where}: "capabilities" must map capability names to true or false`);
  }
  return conf as PluginConf;
}
